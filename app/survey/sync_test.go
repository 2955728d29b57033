package survey

import (
	"context"
	"os"
	"testing"
	"time"

	"github.com/rapor-rb/raporrb/app/account"
	"github.com/rapor-rb/raporrb/app/assessment"
	"github.com/rapor-rb/raporrb/app/db"
	"github.com/rapor-rb/raporrb/app/dbtest"
	"github.com/rapor-rb/raporrb/app/period"
	"github.com/rapor-rb/raporrb/app/unit"
)

var engine *db.DB

func TestMain(m *testing.M) { os.Exit(dbtest.Main(m, &engine)) }

// syncWorld is one kabupaten, one kecamatan with an open IKM assessment of 2026, and the
// services of the survey on the real engine.
func syncWorld(t *testing.T) (*Service, *Survey) {
	t.Helper()
	ctx := context.Background()
	d := dbtest.Fresh(t, engine)
	if err := d.Prepare(ctx, append([]string{"units", "periods", "assignments", "assessments", "sheets", "history"}, Collections...)...); err != nil {
		t.Fatal(err)
	}
	cat := catalog(t)
	units := unit.NewStore(d)
	for _, u := range []unit.Unit{{Code: "kab", Name: "Kabupaten Uji", Kind: unit.Kabupaten, Active: true, TimeZone: "Asia/Jakarta"},
		{Code: "kec", Name: "Kecamatan Uji", Kind: unit.Kecamatan, Parent: "kab", Active: true}} {
		if err := units.Put(ctx, u); err != nil {
			t.Fatal(err)
		}
	}
	ps := period.NewStore(d)
	if err := ps.Put(ctx, period.Period{Year: 2026, Instruments: []period.Window{{Instrument: "ikm-2017", Opens: "2026-01-01", SelfDeadline: "2026-12-31", ReviewDeadline: "2026-12-31"}}}); err != nil {
		t.Fatal(err)
	}
	st := assessment.NewStore(d)
	ikm, _ := cat.Get("ikm-2017")
	now := time.Date(2026, 5, 4, 3, 0, 0, 0, time.UTC)
	if _, err := st.Open(ctx, ikm, 2026, "kec", now); err != nil {
		t.Fatal(err)
	}
	access := assessment.Access{Assignments: account.NewAssignments(d)}
	clock := func() time.Time { return now }
	s := &Service{Store: NewStore(d), Periods: ps, Units: units, Catalog: cat, Access: access, Now: clock,
		Assessments: &assessment.Service{Store: st, Periods: ps, Catalog: cat, Access: access, Now: clock}}
	sv, err := s.Create(ctx, &account.User{Username: "admin", Role: account.Admin}, CreateInput{Period: 2026, Unit: "kec", Kind: IKM, Service: "KTP", Population: 50})
	if err != nil {
		t.Fatal(err)
	}
	return s, sv
}

func submit(t *testing.T, s *Service, sv *Survey, u1 int) {
	t.Helper()
	if _, _, err := s.Submit(context.Background(), sv, Input{Answers: map[string]*int{"U1": &u1}}, Meta{}); err != nil {
		t.Fatal(err)
	}
}

// A sync whose result a response overtakes between computing and writing does not write the
// older result over the newer one: it computes again.
func TestSyncOvertakenComputesAgain(t *testing.T) {
	ctx := context.Background()
	s, sv := syncWorld(t)
	s.SyncDelay = time.Hour // syncs only when the test calls one
	submit(t, s, sv, 4)
	overtaken := false
	s.afterCompute = func() {
		if overtaken {
			return
		}
		overtaken = true
		// Another response arrives and another sync lands it, while the first still holds
		// the result of one response.
		submit(t, s, sv, 2)
		if err := s.Sync(ctx, sv.ID); err != nil {
			t.Fatal(err)
		}
	}
	if err := s.Sync(ctx, sv.ID); err != nil {
		t.Fatal(err)
	}
	sh, err := s.Assessments.Store.Sheet(ctx, assessment.ID(2026, "ikm-2017", "kec"))
	if err != nil {
		t.Fatal(err)
	}
	a := sh.Answer("IKM.U1")
	if a == nil || a.Self == nil || a.Self.Value == nil || *a.Self.Value != 3 || a.Rev != 1 {
		t.Fatalf("IKM.U1 = %+v: want the mean of both responses (3), written once", a)
	}
	got, err := s.Store.ByID(ctx, sv.ID)
	if err != nil {
		t.Fatal(err)
	}
	if got.Applied.Seq != 2 {
		t.Errorf("applied = %+v", got.Applied)
	}
}
