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
	"github.com/rapor-rb/raporrb/app/assessment"
	"github.com/rapor-rb/raporrb/app/audit"
	"github.com/rapor-rb/raporrb/app/dashboard"
	"github.com/rapor-rb/raporrb/app/db"
	"github.com/rapor-rb/raporrb/app/eligibility"
	"github.com/rapor-rb/raporrb/app/evidence"
	"github.com/rapor-rb/raporrb/app/home"
	"github.com/rapor-rb/raporrb/app/instrument"
	"github.com/rapor-rb/raporrb/app/period"
	"github.com/rapor-rb/raporrb/app/ranking"
	"github.com/rapor-rb/raporrb/app/review"
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
}

// boardMaxAge is how long a cached ranking is trusted on MongoDB, where other instances may
// write; the embedded engine has one process, which invalidates its cache exactly.
const boardMaxAge = 5 * time.Second

// NewStores opens every store on d; the ranking board follows the assessment store's writes.
// now is the server's clock (nil: time.Now); sessions expire by it.
func NewStores(d *db.DB, cat *instrument.Catalog, now func() time.Time) Stores {
	st := Stores{
		DB:          d,
		Users:       account.NewStore(d).WithClock(now),
		Assignments: account.NewAssignments(d),
		Units:       unit.NewStore(d),
		Periods:     period.NewStore(d),
		Assessments: assessment.NewStore(d),
		Audit:       audit.New(d, nil),
		Eligibility: eligibility.NewStore(d),
	}
	st.Settings = ranking.NewSettings(d).WithAudit(st.Audit)
	maxAge := boardMaxAge
	if d.Embedded {
		maxAge = 0
	}
	st.Board = ranking.NewBoard(d, cat, st.Units, st.Assessments, maxAge)
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

// Migrate brings the data of an earlier version up to this one (see db.Migration), once per
// database: history from one document per assessment to one per version, and the ranking
// boards from one per period and instrument to one per parent unit.
func (s Stores) Migrate(ctx context.Context) ([]string, error) {
	return s.DB.Migrate(ctx, []db.Migration{
		{ID: "2026-11-history-per-version", Run: func(ctx context.Context) error {
			_, err := s.Assessments.MigrateHistory(ctx)
			return err
		}},
		// EnsureBoards, which runs after the migrations, builds the boards per parent.
		{ID: "2026-11-boards-per-parent", Run: s.Board.DropPeriodBoards},
	})
}

// collections are every collection the application uses.
var collections = []string{"users", "sessions", "units", "periods", "assignments", "assessments", "sheets", "history", "audit", "evidence_refs", "boards", "settings", "migrations", "secrets", "throttle", "eligibility"}

// EnsureIndexes creates the collections and every store's indexes; safe to run at each start.
func (s Stores) EnsureIndexes(ctx context.Context) error {
	if err := s.DB.Prepare(ctx, collections...); err != nil {
		return err
	}
	for _, f := range []func(context.Context) error{s.Users.EnsureIndexes, s.Units.EnsureIndexes, s.Assessments.EnsureIndexes} {
		if err := f(ctx); err != nil {
			return err
		}
	}
	return nil
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
	srv, err := web.New(cfg, st.Users)
	if err != nil {
		return nil, err
	}
	r := srv.Router()
	access := assessment.Access{Assignments: st.Assignments}

	(&home.Handler{Assessments: st.Assessments, Access: access, Periods: st.Periods, Units: st.Units,
		Users: st.Users, Catalog: cat, Now: cfg.Now}).Routes(r)
	instrument.Handler{Catalog: cat}.Routes(r)
	service := &assessment.Service{Store: st.Assessments, Blobs: blobs, Periods: st.Periods, Catalog: cat, Access: access, Audit: st.Audit, Now: cfg.Now}
	ah := &assessment.Handler{Store: st.Assessments, Catalog: cat, Units: st.Units, Access: access, Service: service, UploadMax: srv.UploadMax()}
	ah.Routes(r)
	ah.PageRoutes(r)
	ah.EvidenceRoutes(r)
	rh := &review.Handler{Service: &review.Service{Assessments: service}, Loader: ah, Teams: st.Assignments, Users: st.Users,
		Units: st.Units, Periods: st.Periods, Now: cfg.Now}
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
		Users: st.Users, Units: st.Units, Assessments: st.Assessments, Access: access, Eligibility: st.Eligibility, Now: cfg.Now}).Routes(r)
	(&eligibility.Handler{Store: st.Eligibility, Catalog: cat, Units: st.Units, Periods: st.Periods, Now: cfg.Now}).Routes(r)
	(&ranking.Handler{Board: st.Board, Settings: st.Settings, Catalog: cat, Periods: st.Periods, Now: cfg.Now}).Routes(r)
	return srv, nil
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
