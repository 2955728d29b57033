package demo

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"

	"github.com/rapor-rb/raporrb/app/account"
	"github.com/rapor-rb/raporrb/app/apperr"
	"github.com/rapor-rb/raporrb/app/assessment"
	"github.com/rapor-rb/raporrb/app/db"
	"github.com/rapor-rb/raporrb/app/dbtest"
	"github.com/rapor-rb/raporrb/app/instrument"
	"github.com/rapor-rb/raporrb/app/period"
	"github.com/rapor-rb/raporrb/app/scoring"
	"github.com/rapor-rb/raporrb/app/unit"
	"github.com/rapor-rb/raporrb/seed/instruments"
)

var base *db.DB

func TestMain(m *testing.M) {
	var stop func()
	base, stop = dbtest.MustStart()
	code := m.Run()
	for _, d := range []*db.DB{seededDB, generatedDB} {
		if d != nil {
			_ = d.Database.Drop(context.Background())
		}
	}
	stop()
	os.Exit(code)
}

// testNow is a fixed clock: 23 November 2026, 10:00 WIB.
var testNow = time.Date(2026, 11, 23, 10, 0, 0, 0, time.FixedZone("WIB", 7*60*60))

const testPassword = "rahasia-demo"

func loadCatalog(t *testing.T) *instrument.Catalog {
	t.Helper()
	cat, err := instrument.LoadFS(instruments.FS)
	if err != nil {
		t.Fatal(err)
	}
	return cat
}

// prepared returns a database of base with the collections the app creates at start-up
// (and, on the embedded engine, their _id indexes), as `raporrb seed` has them.
func prepared(t *testing.T, name string) *db.DB {
	t.Helper()
	d := base.WithName(name)
	if err := d.Prepare(context.Background(), "users", "units", "periods", "assignments", "assessments", "sheets"); err != nil {
		t.Fatal(err)
	}
	return d
}

func storesOn(d *db.DB) Stores {
	return Stores{Units: unit.NewStore(d), Users: account.NewStore(d), Assignments: account.NewAssignments(d),
		Periods: period.NewStore(d), Assessments: assessment.NewStore(d)}
}

// Seeding takes seconds (more under -race), so the tests share two seeded
// databases: one with testPassword, one with generated passwords. They are named, not
// dbtest.Fresh, because they outlive the test that happens to create them; TestMain drops them.
var (
	seededOnce, generatedOnce sync.Once
	seededDB, generatedDB     *db.DB
	seededRes, generatedRes   Result
	seededErr, generatedErr   error
	seededTime                time.Duration
)

func seededStores(t *testing.T) (Stores, Result) {
	t.Helper()
	seededOnce.Do(func() {
		seededDB = prepared(t, "demo_seeded")
		t0 := time.Now()
		seededRes, seededErr = Run(context.Background(), loadCatalog(t), storesOn(seededDB), Options{Now: testNow, Password: testPassword})
		seededTime = time.Since(t0)
	})
	if seededErr != nil {
		t.Fatalf("Run: %v", seededErr)
	}
	return storesOn(seededDB), seededRes
}

// generatedStores is a second, independent run with the same clock and no DEMO_PASSWORD.
func generatedStores(t *testing.T) (Stores, Result) {
	t.Helper()
	generatedOnce.Do(func() {
		generatedDB = prepared(t, "demo_generated")
		generatedRes, generatedErr = Run(context.Background(), loadCatalog(t), storesOn(generatedDB), Options{Now: testNow})
	})
	if generatedErr != nil {
		t.Fatalf("Run: %v", generatedErr)
	}
	return storesOn(generatedDB), generatedRes
}

// stored reads every assessment through the store, and every sheet in one pass over the
// sheets collection (one query instead of 360); checkStoreReads shows that Store.Sheet
// returns the same documents.
func stored(t *testing.T, d *db.DB) (map[string]assessment.Assessment, map[string]*assessment.Sheet) {
	t.Helper()
	ctx := context.Background()
	list, err := storesOn(d).Assessments.List(ctx, assessment.Filter{})
	if err != nil {
		t.Fatal(err)
	}
	as := map[string]assessment.Assessment{}
	for _, a := range list {
		as[a.ID] = a
	}
	cur, err := d.Collection("sheets").Find(ctx, bson.D{})
	if err != nil {
		t.Fatal(err)
	}
	var all []*assessment.Sheet
	if err := cur.All(ctx, &all); err != nil {
		t.Fatal(err)
	}
	sheets := map[string]*assessment.Sheet{}
	for _, s := range all {
		sheets[s.ID] = s
	}
	return as, sheets
}

// checkStoreReads compares Store.Sheet with the bulk read for a sample of ids: the current
// year's ZI sheets (the largest documents, in every status).
func checkStoreReads(t *testing.T, st Stores, sheets map[string]*assessment.Sheet, year int) {
	t.Helper()
	for _, k := range kecamatanList {
		id := assessment.ID(year, "zi-2021", k.code)
		got, err := st.Assessments.Sheet(context.Background(), id)
		if err != nil {
			t.Fatal(err)
		}
		if jsonOf(t, got) != jsonOf(t, sheets[id]) {
			t.Errorf("Store.Sheet(%s) differs from the stored document", id)
		}
	}
}

func jsonOf(t *testing.T, v any) string {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func TestRun(t *testing.T) {
	st, res := seededStores(t)
	t.Logf("seeded in %v", seededTime)
	ctx := context.Background()
	cat := loadCatalog(t)
	year := testNow.Year()

	if res.Units != 25 || res.Assessments != 360 || len(res.Accounts) != 53 {
		t.Errorf("Result = %d units, %d assessments, %d accounts; want 25, 360, 53", res.Units, res.Assessments, len(res.Accounts))
	}
	var first5 []string
	for _, a := range res.Accounts[:5] {
		first5 = append(first5, a.Username)
	}
	if want := []string{"admin", "bupati", "inspektur", "camat.sukamaju", "staf.sukamaju"}; !slices.Equal(first5, want) {
		t.Errorf("showcase accounts = %v, want %v", first5, want)
	}
	us, err := st.Units.List(ctx)
	if err != nil {
		t.Fatal(err)
	}
	kec := 0
	for _, u := range us {
		if u.Kind == unit.Kecamatan && u.Parent == Kabupaten {
			kec++
		}
	}
	if len(us) != 25 || kec != 24 {
		t.Errorf("units: %d stored, %d kecamatan of %s; want 25 and 24", len(us), kec, Kabupaten)
	}
	if n, _ := st.Assessments.Count(ctx); n != 360 {
		t.Errorf("assessments stored = %d, want 360", n)
	}
	if n, _ := st.Users.Count(ctx); n != 53 {
		t.Errorf("users stored = %d, want 53", n)
	}
	if _, err := st.Users.Authenticate(ctx, "camat.sukamaju", testPassword); err != nil {
		t.Errorf("camat.sukamaju cannot sign in with DEMO_PASSWORD: %v", err)
	}
	u, err := st.Users.ByUsername(ctx, "staf.mekarsari")
	if err != nil || u.Role != account.Staf || u.Unit != "mekarsari" || len(u.NIP) != 18 {
		t.Errorf("staf.mekarsari = %+v, %v; want a staf of mekarsari with an 18-digit NIP", u, err)
	}

	// Periods and assignments.
	p, err := st.Periods.ByYear(ctx, year)
	if err != nil {
		t.Fatal(err)
	}
	zi, _ := p.Window("zi-2021")
	if zi.SelfDeadline != "2026-12-14" || zi.ReviewDeadline != "2027-01-13" {
		t.Errorf("zi-2021 deadlines = %v, %v; want 2026-12-14 and 30 days later", zi.SelfDeadline, zi.ReviewDeadline)
	}
	if nn, _ := p.Window("new-normal-2020"); !(period.Due{Day: nn.SelfDeadline, Zone: wib}).Passed(testNow) {
		t.Errorf("new-normal-2020 self deadline %v should already have passed", nn.SelfDeadline)
	}
	if old, err := st.Periods.ByYear(ctx, year-2); err != nil || len(old.Instruments) != 5 {
		t.Errorf("period %d = %+v, %v", year-2, old, err)
	}
	assigned := map[string]map[string]bool{} // "year/instrument/unit" → evaluators
	for _, ev := range []string{"inspektur", "evaluator2"} {
		as, err := st.Assignments.ForEvaluator(ctx, ev)
		if err != nil {
			t.Fatal(err)
		}
		if len(as) != 15 {
			t.Errorf("%s has %d assignments, want 15 (3 years × 5 instruments)", ev, len(as))
		}
		for _, a := range as {
			if len(a.Units) != 12 {
				t.Errorf("%s: %d units, want 12", a.ID, len(a.Units))
			}
			for _, u := range a.Units {
				id := assessment.ID(a.Year, a.Instrument, u)
				if assigned[id] == nil {
					assigned[id] = map[string]bool{}
				}
				assigned[id][ev] = true
			}
		}
	}
	if ok, _ := st.Assignments.IsAssigned(ctx, year, "zi-2021", "inspektur", "sukamaju"); !ok {
		t.Error("inspektur is not assigned the showcase kecamatan")
	}

	as, sheets := stored(t, seededDB)
	checkStoreReads(t, st, sheets, year)
	if len(as) != 360 || len(sheets) != 360 {
		t.Fatalf("read %d assessments and %d sheets, want 360 each", len(as), len(sheets))
	}
	// Every snapshot equals a fresh Rescore of the stored sheet, with the previous year's
	// stored final predicates; every status agrees with its sheet.
	currentStatuses := map[assessment.Status]int{}
	for id, a := range as {
		inst, ok := cat.Get(a.Instrument)
		if !ok {
			t.Fatalf("%s: unknown instrument", id)
		}
		var prev scoring.Previous
		if pa, ok := as[assessment.ID(a.Period-1, a.Instrument, a.Unit)]; ok && pa.Final != nil {
			prev = pa.Final.Predicates
		}
		fresh := a
		sh := sheets[id]
		if err := assessment.Rescore(inst, &fresh, sh, prev); err != nil {
			t.Fatalf("%s: Rescore: %v", id, err)
		}
		if got, want := jsonOf(t, []any{a.Self, a.Final, a.Progress}), jsonOf(t, []any{fresh.Self, fresh.Final, fresh.Progress}); got != want {
			t.Errorf("%s: stored snapshots differ from a rescore:\n got %s\nwant %s", id, got, want)
		}
		if a.Rev != 1 || sh.Rev != 1 || a.UpdatedAt.IsZero() {
			t.Errorf("%s: rev %d, sheet rev %d, updated %v; want 1, 1, set", id, a.Rev, sh.Rev, a.UpdatedAt)
		}
		pr := a.Progress
		switch a.Status {
		case assessment.Final:
			if pr.Reviewed != pr.Total || pr.Answered != pr.Total || pr.Returned != 0 || a.FinalizedAt == nil || a.SubmittedAt == nil || a.Final == nil {
				t.Errorf("%s: final with progress %+v, finalized %v", id, pr, a.FinalizedAt)
			}
		case assessment.Returned:
			if pr.Returned == 0 || pr.Reviewed != pr.Total || a.SubmittedAt == nil {
				t.Errorf("%s: perlu_perbaikan with progress %+v", id, pr)
			}
		case assessment.InReview:
			if pr.Reviewed == 0 || pr.Reviewed == pr.Total || pr.Answered != pr.Total || a.SubmittedAt == nil {
				t.Errorf("%s: direviu with progress %+v", id, pr)
			}
		case assessment.Submitted:
			if pr.Reviewed != 0 || pr.Answered != pr.Total || a.SubmittedAt == nil || a.Final != nil {
				t.Errorf("%s: diajukan with progress %+v", id, pr)
			}
		case assessment.Draft:
			if pr.Reviewed != 0 || a.SubmittedAt != nil || pr.Answered == 0 || pr.Answered == pr.Total {
				t.Errorf("%s: draf with progress %+v, submitted %v", id, pr, a.SubmittedAt)
			}
		default:
			t.Errorf("%s: unknown status %q", id, a.Status)
		}
		for _, ans := range sh.Answers {
			if ans.Rev != 1 || ans.Self == nil {
				t.Errorf("%s %s: rev %d, self %v", id, ans.Indicator, ans.Rev, ans.Self)
			}
			if ans.Self.By != "staf."+a.Unit && ans.Self.By != "camat."+a.Unit {
				t.Errorf("%s %s: answered by %s", id, ans.Indicator, ans.Self.By)
			}
			if ans.Self.At.Year() != a.Period && ans.Self.At.In(wib).Year() != a.Period {
				t.Errorf("%s %s: answered at %v, outside %d", id, ans.Indicator, ans.Self.At, a.Period)
			}
			if ans.Review != nil && !assigned[id][ans.Review.By] {
				t.Errorf("%s %s: reviewed by %s, who is not assigned", id, ans.Indicator, ans.Review.By)
			}
			if ans.Review != nil && ans.Review.Verdict == assessment.VerdictReturned && ans.Review.Comment == "" {
				t.Errorf("%s %s: returned without a comment", id, ans.Indicator)
			}
			for _, e := range ans.Evidence {
				if (e.Kind != "file" && e.Kind != "link") || len(e.ID) != 64 || e.Name == "" ||
					(e.Kind == "link" && !strings.HasPrefix(e.URL, "https://dokumen.contoh.go.id/")) ||
					(e.Kind == "file" && (e.Size <= 0 || e.Type == "")) {
					t.Errorf("%s %s: evidence %+v", id, ans.Indicator, e)
				}
			}
		}
		if a.Period == year {
			currentStatuses[a.Status]++
		} else if a.Status != assessment.Final {
			t.Errorf("%s: status %s in an earlier year, want final", id, a.Status)
		}
		if a.UpdatedAt.After(testNow) {
			t.Errorf("%s: updated in the future (%v)", id, a.UpdatedAt)
		}
	}
	for _, s := range []assessment.Status{assessment.Draft, assessment.Submitted, assessment.InReview, assessment.Returned, assessment.Final} {
		if currentStatuses[s] == 0 {
			t.Errorf("no %s assessment in %d (have %v)", s, year, currentStatuses)
		}
	}

	// The spread the dashboard needs.
	wbk, gap := 0, 0
	for _, k := range kecamatanList {
		a := as[assessment.ID(year-1, "zi-2021", k.code)]
		if a.Final.Predicates["WBK"] {
			wbk++
		}
		if a.Self.Total-a.Final.Total >= 5 {
			gap++
		}
	}
	if wbk < 2 || wbk > 6 {
		t.Errorf("%d kecamatan WBK on zi-2021 in %d, want 2..6", wbk, year-1)
	}
	if gap < 4 {
		t.Errorf("%d kecamatan claim ≥ 5 points above their final zi-2021 score in %d, want ≥ 4", gap, year-1)
	}
	wbbm := 0
	for _, k := range kecamatanList {
		a := as[assessment.ID(year, "zi-2021", k.code)]
		if a.Final != nil && a.Final.Predicates["WBBM"] {
			wbbm++
			if before := as[assessment.ID(year-1, "zi-2021", k.code)]; !before.Final.Predicates["WBK"] {
				t.Errorf("%s is WBBM in %d without WBK in %d", k.code, year, year-1)
			}
		}
	}
	if wbbm != 1 {
		t.Errorf("%d kecamatan WBBM on zi-2021 in %d, want 1", wbbm, year)
	}
	show := as[assessment.ID(year, "zi-2021", "sukamaju")]
	if show.Status != assessment.Draft || show.Progress.Answered == 0 || show.Progress.Answered >= show.Progress.Total {
		t.Errorf("showcase zi-2021 = %s with progress %+v; want a partial draf", show.Status, show.Progress)
	}
}

func TestRunTwiceRefusesAndChangesNothing(t *testing.T) {
	st, _ := seededStores(t)
	ctx := context.Background()
	beforeAs, beforeSheets := stored(t, seededDB)
	beforeUsers, err := st.Users.List(ctx)
	if err != nil {
		t.Fatal(err)
	}
	_, err = Run(ctx, loadCatalog(t), st, Options{Now: testNow.AddDate(1, 0, 0), Password: "kata-sandi-lain"})
	if !apperr.Is(err, apperr.Conflict) {
		t.Fatalf("second Run = %v, want a Conflict error", err)
	}
	afterAs, afterSheets := stored(t, seededDB)
	afterUsers, err := st.Users.List(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if jsonOf(t, beforeAs) != jsonOf(t, afterAs) || jsonOf(t, beforeSheets) != jsonOf(t, afterSheets) {
		t.Error("second Run changed assessments or sheets")
	}
	if !reflect.DeepEqual(beforeUsers, afterUsers) {
		t.Error("second Run changed users")
	}
	if _, err := st.Users.Authenticate(ctx, "admin", "kata-sandi-lain"); err == nil {
		t.Error("the second run's password works")
	}
}

func TestRunIsDeterministic(t *testing.T) {
	seededStores(t)
	generatedStores(t)
	as1, sh1 := stored(t, seededDB)
	as2, sh2 := stored(t, generatedDB)
	if len(as1) != 360 || len(as2) != 360 {
		t.Fatalf("%d vs %d assessments", len(as1), len(as2))
	}
	for id, a := range as1 {
		b := as2[id]
		if a.Self.Total != b.Self.Total || (a.Final == nil) != (b.Final == nil) || (a.Final != nil && a.Final.Total != b.Final.Total) {
			t.Errorf("%s: totals differ between runs", id)
		}
		if jsonOf(t, a) != jsonOf(t, b) {
			t.Errorf("%s differs between runs:\n%s\n%s", id, jsonOf(t, a), jsonOf(t, b))
		}
		if jsonOf(t, sh1[id]) != jsonOf(t, sh2[id]) {
			t.Errorf("sheet %s differs between runs", id)
		}
	}
}

// TestBuildIsDeterministic is the database-free half of TestRunIsDeterministic, which also
// runs under -race.
func TestBuildIsDeterministic(t *testing.T) {
	cat := loadCatalog(t)
	a, err := build(cat, testNow)
	if err != nil {
		t.Fatal(err)
	}
	b, err := build(cat, testNow)
	if err != nil {
		t.Fatal(err)
	}
	for i := range a.sheets {
		if jsonOf(t, a.sheets[i].assessment) != jsonOf(t, b.sheets[i].assessment) || jsonOf(t, a.sheets[i].sheet) != jsonOf(t, b.sheets[i].sheet) {
			t.Fatalf("%s differs between two builds", a.sheets[i].assessment.ID)
		}
	}
	if jsonOf(t, a.periods) != jsonOf(t, b.periods) || jsonOf(t, a.assignments) != jsonOf(t, b.assignments) {
		t.Error("periods or assignments differ between two builds")
	}
}

func TestGeneratedPasswords(t *testing.T) {
	st, res := generatedStores(t)
	ctx := context.Background()
	seen := map[string]bool{}
	for _, a := range res.Accounts {
		if seen[a.Password] {
			t.Errorf("%s: password repeats", a.Username)
		}
		seen[a.Password] = true
		if len(a.Password) < 12 || strings.Trim(a.Password, passwordAlphabet) != "" {
			t.Errorf("%s: password %q is not 12+ characters of the readable alphabet", a.Username, a.Password)
		}
		if _, err := st.Users.Authenticate(ctx, a.Username, a.Password); err != nil {
			t.Errorf("%s cannot sign in with its generated password: %v", a.Username, err)
		}
	}
	if len(seen) != 53 {
		t.Errorf("%d distinct passwords, want 53", len(seen))
	}
}

func TestNewPassword(t *testing.T) {
	seen := map[string]bool{}
	for range 200 {
		p, err := newPassword()
		if err != nil {
			t.Fatal(err)
		}
		if len(p) < 12 || strings.Trim(p, passwordAlphabet) != "" || seen[p] {
			t.Fatalf("newPassword() = %q: short, outside the alphabet or repeated", p)
		}
		seen[p] = true
	}
}

func TestWriteAccounts(t *testing.T) {
	accts := accountsFor()
	if _, err := setPasswords(accts, ""); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "data", "baru", "demo-accounts.txt")
	if err := WriteAccounts(path, accts); err != nil {
		t.Fatal(err)
	}
	// Rewriting over a file with wider permissions must tighten them too.
	if err := os.Chmod(path, 0o644); err != nil {
		t.Fatal(err)
	}
	if err := WriteAccounts(path, accts); err != nil {
		t.Fatal(err)
	}
	fi, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if fi.Mode().Perm() != 0o600 {
		t.Errorf("accounts file mode = %v, want 0600", fi.Mode().Perm())
	}
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	for _, a := range accts {
		if !strings.Contains(string(b), a.Username+" ") || !strings.Contains(string(b), a.Password) {
			t.Errorf("accounts file lacks %s or its password", a.Username)
		}
	}
	if entries, _ := os.ReadDir(filepath.Dir(path)); len(entries) != 1 {
		t.Errorf("accounts directory holds %d entries, want only the file (no temporary left)", len(entries))
	}
}

// TestTimeline checks, without a database, that generated activity is in order for two
// clocks: late in the year, and so early that the current period must open the year before.
func TestTimeline(t *testing.T) {
	cat := loadCatalog(t)
	for _, now := range []time.Time{testNow, time.Date(2027, 1, 3, 8, 0, 0, 0, wib)} {
		ds, err := build(cat, now)
		if err != nil {
			t.Fatalf("%v: %v", now, err)
		}
		for _, p := range ds.periods {
			for _, w := range p.Instruments {
				if w.SelfDeadline < w.Opens || w.ReviewDeadline < w.SelfDeadline {
					t.Errorf("%v: %d %s: window out of order %+v", now, p.Year, w.Instrument, w)
				}
			}
		}
		for _, s := range ds.sheets {
			a := s.assessment
			for _, ans := range s.sheet.Answers {
				if ans.Self.At.After(now) {
					t.Errorf("%v: %s %s answered in the future", now, a.ID, ans.Indicator)
				}
				if a.SubmittedAt != nil && ans.Self.At.After(*a.SubmittedAt) {
					t.Errorf("%v: %s %s answered after submission", now, a.ID, ans.Indicator)
				}
				if ans.Review != nil && (ans.Review.At.Before(*a.SubmittedAt) || ans.Review.At.After(now)) {
					t.Errorf("%v: %s %s reviewed at %v, submitted %v", now, a.ID, ans.Indicator, ans.Review.At, *a.SubmittedAt)
				}
				if ans.Review != nil && a.FinalizedAt != nil && ans.Review.At.After(*a.FinalizedAt) {
					t.Errorf("%v: %s %s reviewed after finalization", now, a.ID, ans.Indicator)
				}
			}
			if a.FinalizedAt != nil && a.FinalizedAt.After(now) {
				t.Errorf("%v: %s finalized in the future", now, a.ID)
			}
		}
	}
}
