// Package server assembles the application from its features: stores on one database, the
// web layer, and every feature's routes. cmd/raporrb calls it, and so do the end-to-end tests,
// so that they exercise exactly what production runs.
package server

import (
	"context"
	"io/fs"
	"log/slog"
	"path/filepath"
	"time"

	"github.com/rapor-rb/raporrb/app/account"
	"github.com/rapor-rb/raporrb/app/admin"
	"github.com/rapor-rb/raporrb/app/assessment"
	"github.com/rapor-rb/raporrb/app/audit"
	"github.com/rapor-rb/raporrb/app/dashboard"
	"github.com/rapor-rb/raporrb/app/db"
	"github.com/rapor-rb/raporrb/app/eligibility"
	"github.com/rapor-rb/raporrb/app/evidence"
	"github.com/rapor-rb/raporrb/app/home"
	"github.com/rapor-rb/raporrb/app/instrument"
	"github.com/rapor-rb/raporrb/app/jobs"
	"github.com/rapor-rb/raporrb/app/lkeimport"
	"github.com/rapor-rb/raporrb/app/period"
	"github.com/rapor-rb/raporrb/app/ranking"
	"github.com/rapor-rb/raporrb/app/review"
	"github.com/rapor-rb/raporrb/app/survey"
	"github.com/rapor-rb/raporrb/app/unit"
	"github.com/rapor-rb/raporrb/app/web"
	"github.com/rapor-rb/raporrb/public"
)

// Stores are the feature stores on one database.
type Stores struct {
	DB          *db.DB
	Users       *account.Store
	Assignments *account.Assignments
	Units       *unit.Store
	Periods     *period.Store
	Assessments *assessment.Store
	Board       *ranking.Board
	Settings    *ranking.Settings
	Audit       *audit.Log
	Eligibility *eligibility.Store
	Instruments *instrument.Store
	Jobs        *jobs.Runner

	catalog *instrument.Catalog
	Surveys *survey.Store
	// SurveySync is how long a public survey's responses gather before its result is written
	// to the sheet (survey.Service.SyncDelay): 0 within the submission (tests), serve uses
	// survey.DefaultSyncDelay.
	SurveySync time.Duration
	// PublicURL is where citizens reach the app, for the survey's QR code ("" = the request's
	// own address).
	PublicURL string
}

// boardMaxAge is how long a cached ranking or page is trusted on MongoDB, where other
// instances may write; the embedded engine has one process, which invalidates its caches
// exactly.
const boardMaxAge = 5 * time.Second

// cacheMaxAge is the life of in-process caches on d: boardMaxAge on MongoDB, unbounded (until
// a write) on the embedded engine.
func cacheMaxAge(d *db.DB) time.Duration {
	if d.Embedded {
		return 0
	}
	return boardMaxAge
}

// NewStores opens every store on d; the ranking board follows the assessment store's writes.
// now is the server's clock (nil: time.Now); sessions expire by it.
func NewStores(d *db.DB, cat *instrument.Catalog, now func() time.Time) Stores {
	units := unit.NewStore(d)
	st := Stores{
		catalog:     cat,
		DB:          d,
		Users:       account.NewStore(d).WithClock(now),
		Assignments: account.NewAssignments(d),
		Units:       units,
		Periods:     period.NewStore(d).WithClock(now, units.Zone),
		Assessments: assessment.NewStore(d),
		Audit:       audit.New(d, units.Zone),
		Eligibility: eligibility.NewStore(d),
		Instruments: instrument.NewStore(d),
		Jobs:        jobs.NewRunner(d, now, nil),
		Surveys:     survey.NewStore(d),
	}
	st.Settings = ranking.NewSettings(d).WithAudit(st.Audit)
	st.Board = ranking.NewBoard(d, cat, st.Units, st.Assessments, cacheMaxAge(d))
	st.Assessments.SetBoard(st.Board)
	return st
}

// EnsureBoards builds the ranking boards missing for any period (a data directory from before
// boards existed), so that pages never find a ranking empty that has assessments.
func (s Stores) EnsureBoards(ctx context.Context) error {
	ps, err := s.Periods.List(ctx)
	if err != nil {
		return err
	}
	for _, p := range ps {
		ids := make([]string, len(p.Instruments))
		for i, w := range p.Instruments {
			ids[i] = w.Instrument
		}
		if err := s.Board.EnsureBuilt(ctx, []int{p.Year}, ids); err != nil {
			return err
		}
	}
	return nil
}

// collections are every collection the application uses.
var collections = append([]string{"users", "sessions", "units", "periods", "assignments", "assessments", "sheets", "history", "audit", "evidence_refs", "boards", "settings", "migrations",
	"secrets", "throttle", "eligibility", "instruments", "jobs", "staged"}, survey.Collections...)

// EnsureIndexes creates the collections and every store's indexes, and runs the data
// migrations not yet run (see migrations); safe to run at each start.
func (s Stores) EnsureIndexes(ctx context.Context) error {
	if err := s.DB.Prepare(ctx, collections...); err != nil {
		return err
	}
	for _, f := range []func(context.Context) error{s.Users.EnsureIndexes, s.Units.EnsureIndexes, s.Assessments.EnsureIndexes} {
		if err := f(ctx); err != nil {
			return err
		}
	}
	_, err := s.DB.Migrate(ctx, s.migrations())
	return err
}

// migrations are the changes to stored data, in the order they were made: a data directory
// written by an earlier version is brought up to date at start-up.
func (s Stores) migrations() []db.Migration {
	return []db.Migration{
		{ID: "001-units-active-and-zone", Run: s.Units.MigrateActive},
		{ID: "002-period-whole-days", Run: func(ctx context.Context) error { return s.Periods.MigrateDays(ctx, s.Units.Zone(ctx)) }},
		{ID: "003-assessment-extensions", Run: func(ctx context.Context) error {
			return s.Assessments.MigrateExtensions(ctx, s.Units.Zone(ctx))
		}},
		{ID: "004-history-per-version", Run: func(ctx context.Context) error {
			_, err := s.Assessments.MigrateHistory(ctx)
			return err
		}},
		// EnsureBoards, which runs after the migrations, builds the boards per parent.
		{ID: "005-boards-per-parent", Run: s.Board.DropPeriodBoards},
		// PEKPPP became the 75/25 blend of F-02 and F-03: its aspects moved under the F02 root.
		{ID: "006-pekppp-f02-codes", Run: func(ctx context.Context) error {
			inst, ok := s.catalog.Get("pekppp-2022")
			if !ok {
				return nil
			}
			_, err := s.Assessments.MigrateCodes(ctx, inst, func(code string) string { return "F02." + code })
			return err
		}},
	}
}

// New builds the web server with every feature's routes; blobs holds evidence bytes.
func New(cfg web.Config, st Stores, blobs assessment.Blobs, cat *instrument.Catalog, vendor fs.FS, log *slog.Logger) (*web.Server, error) {
	static, err := fs.Sub(public.FS, ".")
	if err != nil {
		return nil, err
	}
	cfg.Static, cfg.Vendor, cfg.Logger = static, vendor, log
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	now := cfg.Now
	cfg.Record = func(ctx context.Context, username, action, how string) error {
		return st.Audit.Record(ctx, audit.Event{At: now(), Actor: username, Action: audit.Action(action), Target: username, Detail: "melalui " + how})
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if cfg.CSRFKey == nil {
		if cfg.CSRFKey, err = st.Users.Secret(ctx, "csrf"); err != nil {
			return nil, err
		}
	}
	if cfg.Throttle == nil && !st.DB.Embedded {
		// Instances behind a balancer share the login throttle through the database; the
		// embedded engine is one process and keeps it in memory (web's default).
		th := db.NewStorage(st.DB, "throttle", cfg.Now)
		if err := th.EnsureIndexes(ctx); err != nil {
			return nil, err
		}
		cfg.Throttle = th
	}
	zone := st.Units.Zone
	cfg.Zone = zone
	srv, err := web.New(cfg, st.Users)
	if err != nil {
		return nil, err
	}
	r := srv.Router()
	access := assessment.Access{Assignments: st.Assignments}

	(&home.Handler{Assessments: st.Assessments, Access: access, Periods: st.Periods, Units: st.Units,
		Users: st.Users, Catalog: cat, Now: cfg.Now, Zone: zone}).Routes(r)
	instrument.Handler{Catalog: cat}.Routes(r)
	service := &assessment.Service{Store: st.Assessments, Blobs: blobs, Periods: st.Periods, Catalog: cat, Access: access, Audit: st.Audit, Now: cfg.Now, Zone: zone}
	ah := &assessment.Handler{Store: st.Assessments, Catalog: cat, Units: st.Units, Access: access, Service: service, UploadMax: srv.UploadMax(), Users: st.Users}
	ah.Routes(r)
	ah.PageRoutes(r)
	ah.EvidenceRoutes(r)
	rh := &review.Handler{Service: &review.Service{Assessments: service}, Loader: ah, Teams: st.Assignments, Users: st.Users,
		Units: st.Units, Periods: st.Periods, Now: cfg.Now, Zone: zone}
	rh.Routes(r)
	rh.PageRoutes(r)
	(&review.Assigner{Store: st.Assignments, Users: st.Users, Units: st.Units, Periods: st.Periods, Catalog: cat, Audit: st.Audit, Now: cfg.Now}).Routes(r)
	titles := func(id string) string {
		if inst, ok := cat.Get(id); ok {
			return inst.Title
		}
		return ""
	}
	(&audit.Handler{Log: st.Audit, Units: st.Units, Titles: titles, Now: cfg.Now}).Routes(r)
	(&dashboard.Handler{Board: st.Board, Settings: st.Settings, Catalog: cat, Periods: st.Periods, Assignments: st.Assignments,
		Users: st.Users, Units: st.Units, Assessments: st.Assessments, Access: access, Eligibility: st.Eligibility, Now: cfg.Now, Zone: zone,
		Changes: st.DB, CacheMaxAge: cacheMaxAge(st.DB), Log: log}).Routes(r)
	(&eligibility.Handler{Store: st.Eligibility, Catalog: cat, Units: st.Units, Periods: st.Periods, Now: cfg.Now}).Routes(r)
	(&ranking.Handler{Board: st.Board, Settings: st.Settings, Catalog: cat, Periods: st.Periods, Now: cfg.Now}).Routes(r)
	ad := &admin.Handler{DB: st.DB, Users: st.Users, Units: st.Units, Periods: st.Periods, Assessments: st.Assessments,
		Service: service, Board: st.Board, Catalog: cat, Instruments: st.Instruments, Audit: st.Audit, Jobs: st.Jobs, Now: cfg.Now}
	if disk, ok := blobs.(*evidence.DiskStore); ok && st.DB.Embedded {
		// Archives go beside the evidence: DATA_DIR/backups.
		ad.EvidenceDir, ad.BackupDir = disk.Dir(), filepath.Join(filepath.Dir(disk.Dir()), "backups")
	}
	ad.Routes(r)
	jobs.Handler{Runner: st.Jobs}.Routes(r)
	(&lkeimport.Handler{Assessments: ah, Service: service, Jobs: st.Jobs, Audit: st.Audit}).Routes(r)
	surveys := st.surveyService(service, cat, srv, cfg.Now, log)
	// Scheduled syncs stop with the server; the next start's SyncSurveys brings them.
	srv.App.Hooks().OnShutdown(func() error { surveys.Stop(); return nil })
	sh := &survey.Handler{Service: surveys, Units: st.Units, PublicURL: st.PublicURL, Now: cfg.Now}
	sh.Routes(r)
	sh.PublicRoutes(r)
	(&survey.Pages{Handler: sh, UnitList: st.Units, Periods: st.Periods}).PageRoutes(r)
	return srv, nil
}

// surveyService is the public surveys' service on the stores, writing sheets through
// service (the assessment write path); seal signs the form tickets (the web server).
func (s Stores) surveyService(service *assessment.Service, cat *instrument.Catalog, seal survey.Sealer, now func() time.Time, log *slog.Logger) *survey.Service {
	return &survey.Service{Store: s.Surveys, Assessments: service, Periods: s.Periods, Units: s.Units, Catalog: cat,
		Access: assessment.Access{Assignments: s.Assignments}, Audit: s.Audit, Seal: seal, Now: now, SyncDelay: s.SurveySync, Log: log}
}

// SyncSurveys brings every public survey whose responses reached the store but not yet its
// sheet (a stop within the sync delay, a failed sync) to the sheet: at start-up, before
// serving.
func (s Stores) SyncSurveys(ctx context.Context, cat *instrument.Catalog, log *slog.Logger) error {
	service := &assessment.Service{Store: s.Assessments, Periods: s.Periods, Catalog: cat, Access: assessment.Access{Assignments: s.Assignments},
		Audit: s.Audit, Now: time.Now, Zone: s.Units.Zone}
	return s.surveyService(service, cat, nil, time.Now, log).SyncPending(ctx)
}

// NewBlobs returns the evidence store of the engine: files under dataDir/evidence with the
// embedded engine (GridFS there would scan whole collections), GridFS on MongoDB.
func NewBlobs(ctx context.Context, d *db.DB, dataDir string) (assessment.Blobs, error) {
	if d.Embedded {
		return evidence.NewDiskStore(filepath.Join(dataDir, "evidence"))
	}
	g := evidence.NewGridFSStore(d)
	return g, g.EnsureIndexes(ctx)
}
