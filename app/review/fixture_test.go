package review

import (
	"context"
	"os"
	"sync/atomic"
	"testing"
	"time"

	"github.com/rapor-rb/raporrb/app/account"
	"github.com/rapor-rb/raporrb/app/assessment"
	"github.com/rapor-rb/raporrb/app/audit"
	"github.com/rapor-rb/raporrb/app/db"
	"github.com/rapor-rb/raporrb/app/dbtest"
	"github.com/rapor-rb/raporrb/app/instrument"
	"github.com/rapor-rb/raporrb/app/period"
	"github.com/rapor-rb/raporrb/app/scoring"
	"github.com/rapor-rb/raporrb/seed/instruments"
)

var engine *db.DB

func TestMain(m *testing.M) { os.Exit(dbtest.Main(m, &engine)) }

var (
	t0     = time.Date(2026, 11, 23, 3, 0, 0, 0, time.UTC)
	camat  = &account.User{Username: "camat.a", Role: account.Camat, Unit: "a"}
	member = &account.User{Username: "anggota", Role: account.Evaluator}
	lead   = &account.User{Username: "ketua", Role: account.Evaluator}
	other  = &account.User{Username: "lain", Role: account.Evaluator}
	admin  = &account.User{Username: "admin", Role: account.Admin}
	bupati = &account.User{Username: "bupati", Role: account.Pimpinan}
)

// fix is one ZI assessment of unit "a", answered in full by its camat, with a team of two
// evaluators (ketua leads) and a third evaluator assigned elsewhere. The clock ticks a
// millisecond at every reading, so each write gets its own time, in the order writes take
// the lock.
type fix struct {
	rv   *Service
	sv   *assessment.Service
	log  *audit.Log
	inst *instrument.Instrument
	id   string
	tick *atomic.Int64
}

func (f *fix) now() time.Time { return t0.Add(time.Duration(f.tick.Add(1)) * time.Millisecond) }

func newFix(t testing.TB, submitted bool) *fix {
	t.Helper()
	cat, err := instrument.LoadFS(instruments.FS)
	if err != nil {
		t.Fatal(err)
	}
	d := dbtest.Fresh(t, engine)
	ctx := context.Background()
	if err := d.Prepare(ctx, "assessments", "sheets", "history", "periods", "assignments", "audit"); err != nil {
		t.Fatal(err)
	}
	f := &fix{inst: mustGet(t, cat, "zi-2021"), id: assessment.ID(2026, "zi-2021", "a"), tick: &atomic.Int64{}}
	periods := period.NewStore(d)
	if err := periods.Put(ctx, period.Period{Year: 2026, Instruments: []period.Window{{Instrument: "zi-2021",
		Opens: period.DayOf(t0.AddDate(0, -6, 0), time.UTC), SelfDeadline: period.DayOf(t0.AddDate(0, 0, 7), time.UTC),
		ReviewDeadline: period.DayOf(t0.AddDate(0, 1, 0), time.UTC)}}}); err != nil {
		t.Fatal(err)
	}
	as := account.NewAssignments(d)
	for _, a := range []account.Assignment{
		{Year: 2026, Instrument: "zi-2021", Evaluator: lead.Username, Units: []string{"a", "b"}, Lead: true},
		{Year: 2026, Instrument: "zi-2021", Evaluator: member.Username, Units: []string{"a"}},
		{Year: 2026, Instrument: "zi-2021", Evaluator: other.Username, Units: []string{"b"}, Lead: true},
	} {
		if err := as.Put(ctx, a); err != nil {
			t.Fatal(err)
		}
	}
	st := assessment.NewStore(d)
	a := &assessment.Assessment{ID: f.id, Period: 2026, Instrument: "zi-2021", Unit: "a", Flow: assessment.Flow{Status: assessment.Draft}, Rev: 1}
	if err := st.Put(ctx, a, &assessment.Sheet{ID: f.id, Rev: 1}); err != nil {
		t.Fatal(err)
	}
	f.log = audit.New(d, nil)
	f.sv = &assessment.Service{Store: st, Periods: periods, Catalog: cat, Access: assessment.Access{Assignments: as}, Audit: f.log, Now: f.now}
	f.rv = &Service{Assessments: f.sv}
	for _, ind := range f.inst.Indicators() {
		if _, _, err := f.sv.SaveAnswer(ctx, camat, f.id, assessment.AnswerInput{Indicator: ind.Code, Answer: goodAnswer(f.inst, ind.Code)}); err != nil {
			t.Fatal(err)
		}
	}
	if submitted {
		if _, err := f.sv.Submit(ctx, camat, f.id, false); err != nil {
			t.Fatal(err)
		}
	}
	return f
}

func mustGet(t testing.TB, cat *instrument.Catalog, id string) *instrument.Instrument {
	t.Helper()
	inst, ok := cat.Get(id)
	if !ok {
		t.Fatalf("no instrument %s", id)
	}
	return inst
}

// goodAnswer is the best answer of the indicator's scale: the unit claims full marks.
func goodAnswer(inst *instrument.Instrument, code string) scoring.Answer {
	s := inst.ScaleOf(code)
	switch s.Kind {
	case instrument.KindChoice:
		best := s.Options[0]
		for _, o := range s.Options {
			if o.Value > best.Value {
				best = o
			}
		}
		return scoring.Answer{Option: best.Key}
	case instrument.KindPercent:
		x := 100.0
		return scoring.Answer{Number: &x}
	}
	x := *s.Max
	return scoring.Answer{Number: &x}
}

// worstAnswer is the lowest answer of the scale.
func worstAnswer(inst *instrument.Instrument, code string) scoring.Answer {
	s := inst.ScaleOf(code)
	switch s.Kind {
	case instrument.KindChoice:
		worst := s.Options[0]
		for _, o := range s.Options {
			if o.Value < worst.Value {
				worst = o
			}
		}
		return scoring.Answer{Option: worst.Key}
	case instrument.KindPercent:
		x := 0.0
		return scoring.Answer{Number: &x}
	}
	x := 0.0
	if s.Min != nil {
		x = *s.Min
	}
	return scoring.Answer{Number: &x}
}

func (f *fix) sheet(t *testing.T) (*assessment.Assessment, *assessment.Sheet) { return f.sheetB(t) }

func (f *fix) reviewRev(t *testing.T, code string) int64 {
	t.Helper()
	_, sh := f.sheet(t)
	if a := sh.Answer(code); a != nil {
		return a.ReviewRev
	}
	return 0
}

func (f *fix) sheetB(tb testing.TB) (*assessment.Assessment, *assessment.Sheet) {
	tb.Helper()
	ctx := context.Background()
	a, err := f.sv.Store.ByID(ctx, f.id)
	if err != nil {
		tb.Fatal(err)
	}
	sh, err := f.sv.Store.Sheet(ctx, f.id)
	if err != nil {
		tb.Fatal(err)
	}
	return a, sh
}
