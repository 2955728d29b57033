// Package admin is the kabupaten's administration, so that Bagian Organisasi runs a whole
// year without touching the database: the unit tree and the time zone, users (one-time
// passwords, bulk import), periods and their calendar (opening a year creates its
// assessments), per-unit deadline extensions, instrument uploads, and backups — pages and
// JSON API alike, every change audited. It also serves every user's own change-password page.
// The rules live with their data (unit, account, period, instrument, assessment); this
// package checks who may act, orders the writes and records them.
package admin

import (
	"context"
	"encoding/json"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/rapor-rb/raporrb/app/account"
	"github.com/rapor-rb/raporrb/app/apperr"
	"github.com/rapor-rb/raporrb/app/assessment"
	"github.com/rapor-rb/raporrb/app/audit"
	"github.com/rapor-rb/raporrb/app/db"
	"github.com/rapor-rb/raporrb/app/instrument"
	"github.com/rapor-rb/raporrb/app/jobs"
	"github.com/rapor-rb/raporrb/app/period"
	"github.com/rapor-rb/raporrb/app/ranking"
	"github.com/rapor-rb/raporrb/app/unit"
	"github.com/rapor-rb/raporrb/app/web"
)

// Handler serves the administration pages and API.
type Handler struct {
	DB          *db.DB
	Users       *account.Store
	Units       *unit.Store
	Periods     *period.Store
	Assessments *assessment.Store
	Service     *assessment.Service
	Board       *ranking.Board
	Catalog     *instrument.Catalog
	Instruments *instrument.Store
	Audit       *audit.Log
	Jobs        *jobs.Runner
	// EvidenceDir holds the evidence files on the embedded engine ("" on MongoDB, where
	// backups are mongodump's); BackupDir is where the backup page writes archives.
	EvidenceDir, BackupDir string
	Now                    func() time.Time
}

// Routes registers every administration route. All but the change-password page, the
// caller's profile and the read-only lists (units, periods) are for admins only: anyone else
// gets 403, pages and API alike.
func (h *Handler) Routes(r web.Router) {
	h.unitRoutes(r)
	h.userRoutes(r)
	h.passwordRoutes(r)
	h.periodRoutes(r)
	h.instrumentRoutes(r)
	h.backupRoutes(r)
	r.Get("/admin/impor", account.AdminsOnly, h.importsPage)
}

// zone is the kabupaten's time zone.
func (h *Handler) zone(ctx context.Context) *time.Location { return h.Units.Zone(ctx) }

// event builds an audit record of what u did now; unit is the kecamatan concerned, if any.
func (h *Handler) event(u *account.User, action audit.Action, target, unitCode, detail string) audit.Event {
	return audit.Event{At: h.Now(), Actor: u.Username, Action: action, Target: target, Unit: unitCode, Detail: detail}
}

// record returns a write-time hook that appends e to the audit log (inside the write of the
// change it records).
func (h *Handler) record(e audit.Event) func(ctx context.Context) error {
	return func(ctx context.Context) error { return h.Audit.Append(ctx, e) }
}

// decode reads a JSON body into v. Errors: Invalid saying what shape was expected.
func decode(c *fiber.Ctx, v any, shape string) error {
	if err := json.Unmarshal(c.Body(), v); err != nil {
		return apperr.New(apperr.Invalid, "Badan permintaan harus JSON %s.", shape)
	}
	return nil
}

// manage is the object-level check of every admin action (the route's policy already
// admits admins only; this keeps the decision in account.Decide).
func manage(c *fiber.Ctx) (*account.User, error) {
	u := web.CurrentUser(c)
	return u, account.Decide(u, account.Manage, account.Object{})
}

// formError re-renders a form with the error: the status the API would give, the message, and
// (in data, filled by the caller) what was typed, so nothing is lost. Non-user errors (500s)
// go to the error handler.
func formError(c *fiber.Ctx, err error, render func(msg string) error) error {
	switch apperr.KindOf(err) {
	case apperr.Invalid, apperr.Conflict, apperr.NotFound, apperr.Forbidden, apperr.TooLarge:
		status, msg, _ := web.StatusOf(err)
		c.Status(status)
		return render(msg)
	}
	return err
}

func (h *Handler) importsPage(c *fiber.Ctx) error {
	if _, err := manage(c); err != nil {
		return err
	}
	return web.Render(c, "admin/imports", "Impor data", fiber.Map{})
}
