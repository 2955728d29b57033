// Package demo fills an empty database with Kabupaten Contoh, a fictional kabupaten ("data
// contoh") of 24 kecamatan: three years of assessments for every instrument of the catalog,
// periods, evaluator assignments and one account per role and kecamatan.
//
// The data are generated from a fixed seed, so the same clock gives the same kabupaten (only
// the generated passwords differ): screenshots, tests and walkthroughs stay reproducible.
// The spread is chosen for the journeys of DESIGN.md rather than left to chance: a few
// kecamatan are WBK-ready and one reaches WBBM, some over-claim, some are late, and the
// showcase camat (Sukamaju) has a ZI draft to continue.
package demo

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"slices"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"

	"github.com/rapor-rb/raporrb/app/account"
	"github.com/rapor-rb/raporrb/app/apperr"
	"github.com/rapor-rb/raporrb/app/assessment"
	"github.com/rapor-rb/raporrb/app/eligibility"
	"github.com/rapor-rb/raporrb/app/instrument"
	"github.com/rapor-rb/raporrb/app/period"
	"github.com/rapor-rb/raporrb/app/scoring"
	"github.com/rapor-rb/raporrb/app/unit"
)

// Stores are the stores the demo writes to.
type Stores struct {
	Units       *unit.Store
	Users       *account.Store
	Assignments *account.Assignments
	Periods     *period.Store
	Assessments *assessment.Store
	// Eligibility, when set, receives the kabupaten's yearly facts for the proposal checklist.
	Eligibility *eligibility.Store
}

// Options control a run.
type Options struct {
	// Now is the clock: the current year is Now's year in WIB, and the current year's
	// deadlines and activity are placed relative to it. Zero means time.Now().
	Now time.Time
	// Password, when set (DEMO_PASSWORD), is given to every demo account; otherwise each
	// account gets its own random 12-character password.
	Password string
}

// Account is a demo account as handed to whoever runs the demo, password included.
type Account struct {
	Username string
	Name     string
	Role     account.Role
	Unit     string // kecamatan code for camat and staf; empty otherwise
	Password string
}

// Result reports what Run created.
type Result struct {
	// Accounts lists every account, the five showcase accounts first: admin, bupati,
	// inspektur, and the camat and staf of the first kecamatan.
	Accounts    []Account
	Units       int
	Assessments int
}

// seededYears is how many years of assessments the demo holds, the current one included.
const seededYears = 3

// Run seeds the demo kabupaten. It refuses (apperr.Conflict) when the database already has
// users, so a second run never duplicates or overwrites anything.
//
// Users are written last: they are what "already seeded" is judged by, so a run that fails
// half-way (every other write is an idempotent upsert of a deterministic id) can simply be
// run again.
func Run(ctx context.Context, cat *instrument.Catalog, st Stores, opt Options) (Result, error) {
	if cat == nil || st.Units == nil || st.Users == nil || st.Assignments == nil || st.Periods == nil || st.Assessments == nil {
		return Result{}, errors.New("demo.Run: catalog and every store are required")
	}
	now := opt.Now
	if now.IsZero() {
		now = time.Now()
	}
	n, err := st.Users.Count(ctx)
	if err != nil {
		return Result{}, fmt.Errorf("demo: counting users: %w", err)
	}
	if n > 0 {
		return Result{}, apperr.New(apperr.Conflict, "Basis data sudah berisi %d pengguna; data contoh hanya dimuat ke basis data yang kosong.", n)
	}

	// Everything is generated and every password hashed before the first write, so that a
	// mistake in the generator cannot leave a half-seeded database.
	ds, err := build(cat, now)
	if err != nil {
		return Result{}, fmt.Errorf("demo: %w", err)
	}
	accts := accountsFor()
	hashes, err := setPasswords(accts, opt.Password)
	if err != nil {
		return Result{}, fmt.Errorf("demo: %w", err)
	}

	for _, u := range ds.units {
		if err := st.Units.Put(ctx, u); err != nil {
			return Result{}, fmt.Errorf("demo: %w", err)
		}
	}
	for _, p := range ds.periods {
		if err := st.Periods.Put(ctx, p); err != nil {
			return Result{}, fmt.Errorf("demo: %w", err)
		}
	}
	for _, a := range ds.assignments {
		if err := st.Assignments.Put(ctx, a); err != nil {
			return Result{}, fmt.Errorf("demo: %w", err)
		}
	}
	if st.Eligibility != nil {
		for _, f := range eligibilityFacts(cat, ds.periods) {
			cur, err := st.Eligibility.Get(ctx, f.Year, f.Instrument, f.Kabupaten)
			if err != nil {
				return Result{}, fmt.Errorf("demo: %w", err)
			}
			if _, err := st.Eligibility.Save(ctx, f, cur.Rev, "admin", now); err != nil {
				return Result{}, fmt.Errorf("demo: %w", err)
			}
		}
	}
	// Smallest sheets first. On the embedded engine every upsert re-reads all the sheets
	// already stored (its _id lookups use no index, FerretDB #3235), so the seed costs the
	// sum, over writes, of the bytes stored before each; ascending order minimizes that sum
	// (about 15 s instead of 18 s here). On MongoDB the order does not matter.
	byteSize := func(s seeded) int {
		b, err := bson.Marshal(s.sheet)
		if err != nil {
			return 0
		}
		return len(b)
	}
	sizes := make(map[string]int, len(ds.sheets))
	for _, s := range ds.sheets {
		sizes[s.sheet.ID] = byteSize(s)
	}
	order := slices.Clone(ds.sheets)
	slices.SortStableFunc(order, func(a, b seeded) int { return sizes[a.sheet.ID] - sizes[b.sheet.ID] })
	for _, s := range order {
		if err := st.Assessments.Put(ctx, s.assessment, s.sheet); err != nil {
			return Result{}, fmt.Errorf("demo: %w", err)
		}
	}
	created := now.UTC().Truncate(time.Second)
	for i, a := range accts {
		u := account.User{Username: a.Username, Name: a.Name, NIP: nip(a.Username), Role: a.Role, Unit: a.Unit,
			PasswordHash: hashes[i], Created: created}
		if err := st.Users.Put(ctx, u); err != nil {
			return Result{}, fmt.Errorf("demo: %w", err)
		}
	}
	return Result{Accounts: accts, Units: len(ds.units), Assessments: len(ds.sheets)}, nil
}

// dataset is everything Run writes except the users.
type dataset struct {
	units       []unit.Unit
	periods     []period.Period
	assignments []account.Assignment
	sheets      []seeded
}

type seeded struct {
	assessment *assessment.Assessment
	sheet      *assessment.Sheet
}

// build generates the demo in memory. It touches no database and no clock but now.
func build(cat *instrument.Catalog, now time.Time) (*dataset, error) {
	ds := &dataset{units: units(), periods: periods(cat, now)}
	half := (len(kecamatanList) + 1) / 2
	var first, second []string
	for i, k := range kecamatanList {
		if i < half {
			first = append(first, k.code)
		} else {
			second = append(second, k.code)
		}
	}
	for _, p := range ds.periods {
		for _, w := range p.Instruments {
			ds.assignments = append(ds.assignments,
				account.Assignment{Year: p.Year, Instrument: w.Instrument, Evaluator: evaluator1, Units: first, Lead: true},
				account.Assignment{Year: p.Year, Instrument: w.Instrument, Evaluator: evaluator2, Units: second, Lead: true},
				account.Assignment{Year: p.Year, Instrument: w.Instrument, Evaluator: evaluator3, Units: first})
		}
	}
	current := ds.periods[len(ds.periods)-1].Year
	for _, inst := range cat.List() {
		slots := currentSlots(inst.ID)
		for i, kec := range kecamatanList {
			// Years in order: a year's previous final predicates decide whether WBBM's
			// requires_previous is met.
			var prev scoring.Previous
			for k, p := range ds.periods {
				w, _ := p.Window(inst.ID)
				sp := sheetSpec{inst: inst, kec: kec, idx: i, k: k, year: p.Year, slot: slotFinal,
					window: w, current: p.Year == current, now: now}
				if sp.current {
					sp.slot = slots[i]
				}
				a, s, err := generate(sp, prev)
				if err != nil {
					return nil, err
				}
				ds.sheets = append(ds.sheets, seeded{a, s})
				prev = nil
				if a.Final != nil {
					prev = scoring.Previous(maps.Clone(a.Final.Predicates))
				}
			}
		}
	}
	return ds, nil
}
