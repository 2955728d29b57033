package admin

import (
	"context"
	"fmt"
	"strconv"
	"strings"

	"github.com/gofiber/fiber/v2"

	"github.com/rapor-rb/raporrb/app/account"
	"github.com/rapor-rb/raporrb/app/apperr"
	"github.com/rapor-rb/raporrb/app/assessment"
	"github.com/rapor-rb/raporrb/app/audit"
	"github.com/rapor-rb/raporrb/app/instrument"
	"github.com/rapor-rb/raporrb/app/jobs"
	"github.com/rapor-rb/raporrb/app/period"
	"github.com/rapor-rb/raporrb/app/web"
)

func (h *Handler) periodRoutes(r web.Router) {
	r.Get("/api/v1/periods", account.SignedIn, h.apiPeriods)
	r.Get("/api/v1/periods/:year", account.SignedIn, h.apiPeriod)
	r.Put("/api/v1/periods/:year", account.AdminsOnly, h.apiPutPeriod)
	r.Put("/api/v1/assessments/:year/:instrument/:unit/extension", account.AdminsOnly, h.apiExtension)
	r.Get("/admin/periode", account.AdminsOnly, h.periodsPage)
	r.Get("/admin/periode/:year", account.AdminsOnly, h.periodPage)
	r.Post("/admin/periode/:year", account.AdminsOnly, h.savePeriodForm)
	r.Post("/admin/periode/:year/perpanjangan", account.AdminsOnly, h.extensionForm)
}

// Opened is what opening a period did.
type Opened struct {
	Period   period.Period `json:"period"`
	Created  int           `json:"created"`  // assessments created now
	Existing int           `json:"existing"` // assessments that were already there
}

// instrumentTitle is the catalog's title of an instrument id; false when unknown.
func (h *Handler) instrumentTitle(id string) (string, bool) {
	if in, ok := h.Catalog.Get(id); ok {
		return in.Title, true
	}
	return "", false
}

// titleOf is an instrument's title, its id when the catalog no longer has it.
func (h *Handler) titleOf(id string) string {
	if t, ok := h.instrumentTitle(id); ok {
		return t
	}
	return id
}

// openPeriod stores a year's calendar (audited in the same write) and creates the assessments
// of every active kecamatan for each of its instruments, idempotently: ids are
// year/instrument/unit, so running it again creates none twice. An instrument that already
// has assessments cannot be dropped from the year. progress may be nil.
func (h *Handler) openPeriod(ctx context.Context, by *account.User, p period.Period, progress func(done, total int, step string)) (*Opened, error) {
	if progress == nil {
		progress = func(int, int, string) {}
	}
	if err := p.Validate(h.instrumentTitle); err != nil {
		return nil, err
	}
	old, err := h.Periods.ByYear(ctx, p.Year)
	if err != nil && !apperr.Is(err, apperr.NotFound) {
		return nil, err
	}
	if old != nil {
		for _, w := range old.Instruments {
			if _, kept := p.Window(w.Instrument); kept {
				continue
			}
			as, err := h.Assessments.List(ctx, assessment.Filter{Period: p.Year, Instrument: w.Instrument})
			if err != nil {
				return nil, err
			}
			if len(as) > 0 {
				return nil, apperr.InField("instruments", "%s tidak dapat dilepas dari periode %d karena sudah ada %d penilaian.", h.titleOf(w.Instrument), p.Year, len(as))
			}
		}
	}
	kecs, err := h.Units.ActiveKecamatan(ctx)
	if err != nil {
		return nil, err
	}
	parts := make([]string, len(p.Instruments))
	for i, w := range p.Instruments {
		parts[i] = fmt.Sprintf("%s buka %s, batas %s, reviu %s", w.Instrument, w.Opens, w.SelfDeadline, w.ReviewDeadline)
	}
	e := h.event(by, audit.PeriodPut, strconv.Itoa(p.Year), "", strings.Join(parts, "; "))
	if err := h.DB.Write(ctx, func(ctx context.Context) error {
		if err := h.Periods.Replace(ctx, p); err != nil {
			return err
		}
		return h.Audit.Append(ctx, e)
	}); err != nil {
		return nil, err
	}
	out := &Opened{Period: p}
	total := len(p.Instruments) * len(kecs)
	done := 0
	for _, w := range p.Instruments {
		inst, _ := h.Catalog.Get(w.Instrument)
		for _, k := range kecs {
			progress(done, total, fmt.Sprintf("Membuat penilaian %s · %s", inst.Title, k.Name))
			created, err := h.Assessments.Open(ctx, inst, p.Year, k.Code, h.Now())
			if err != nil {
				return nil, err
			}
			if created {
				out.Created++
			} else {
				out.Existing++
			}
			done++
		}
	}
	progress(total, total, "Selesai")
	return out, nil
}

func (h *Handler) apiPeriods(c *fiber.Ctx) error {
	ps, err := h.Periods.List(c.UserContext())
	if err != nil {
		return err
	}
	return c.JSON(fiber.Map{"periods": ps})
}

func (h *Handler) apiPeriod(c *fiber.Ctx) error {
	y, err := period.ParseYear(c.Params("year"))
	if err != nil {
		return err
	}
	p, err := h.Periods.ByYear(c.UserContext(), y)
	if err != nil {
		return err
	}
	return c.JSON(p)
}

func (h *Handler) apiPutPeriod(c *fiber.Ctx) error {
	by, err := manage(c)
	if err != nil {
		return err
	}
	y, err := period.ParseYear(c.Params("year"))
	if err != nil {
		return err
	}
	var req struct {
		Instruments []period.Window `json:"instruments"`
	}
	if err := decode(c, &req, `{"instruments": [{"instrument", "opens", "self_deadline", "review_deadline"}]}`); err != nil {
		return err
	}
	if req.Instruments == nil {
		return apperr.InField("instruments", "Pilih sedikitnya satu instrumen dengan jadwalnya.")
	}
	out, err := h.openPeriod(c.UserContext(), by, period.Period{Year: y, Instruments: req.Instruments}, nil)
	if err != nil {
		return err
	}
	return c.JSON(out)
}

// periodRow is a period on the list.
type periodRow struct {
	period.Period
	Titles []string
}

func (h *Handler) periodsPage(c *fiber.Ctx) error {
	if _, err := manage(c); err != nil {
		return err
	}
	if t := c.Query("tahun"); t != "" { // the "open a year" form
		y, err := period.ParseYear(t)
		if err != nil {
			return err
		}
		return c.Redirect(fmt.Sprintf("/admin/periode/%d", y), fiber.StatusSeeOther)
	}
	ps, err := h.Periods.List(c.UserContext())
	if err != nil {
		return err
	}
	rows := make([]periodRow, len(ps))
	next := h.Now().In(h.zone(c.UserContext())).Year()
	for i, p := range ps {
		rows[i] = periodRow{Period: p}
		for _, w := range p.Instruments {
			title := w.Instrument
			if in, ok := h.Catalog.Get(w.Instrument); ok {
				title = in.Title
			}
			rows[i].Titles = append(rows[i].Titles, title)
		}
		next = max(next, p.Year+1)
	}
	return web.Render(c, "admin/periods", "Periode dan jadwal", fiber.Map{"Periods": rows, "Next": next})
}

// windowRow is one instrument of the catalog on the period form: included or not, its dates.
type windowRow struct {
	Inst     *instrument.Instrument
	Included bool
	W        period.Window
	Used     int // assessments of this year and instrument
}

// Version is the sheet's version as people read it: "versi 2021", "versi 2026 revisi 2".
func (r windowRow) Version() string { return versionLabel(r.Inst.ID) }

// versionLabel reads an instrument id's year and revision (instrument.Version).
func versionLabel(id string) string {
	_, year, rev := instrument.Version(id)
	switch {
	case year == 0:
		return ""
	case rev > 0:
		return fmt.Sprintf("versi %d revisi %d", year, rev)
	}
	return fmt.Sprintf("versi %d", year)
}

// titled is an instrument of a period with its title, for a select list.
type titled struct{ ID, Title string }

// periodForm builds the form rows: the stored calendar, or for a new year the newest version
// of each instrument family with a usual calendar (opens 15 January, self-assessment through
// 30 September, review through 30 November).
func (h *Handler) periodForm(ctx context.Context, year int, stored *period.Period) ([]windowRow, error) {
	defaults := map[string]bool{}
	for _, in := range h.Catalog.ForYear(year) {
		defaults[in.ID] = true
	}
	counts := map[string]int{}
	if stored != nil {
		as, err := h.Assessments.List(ctx, assessment.Filter{Period: year})
		if err != nil {
			return nil, err
		}
		for _, a := range as {
			counts[a.Instrument]++
		}
	}
	var rows []windowRow
	for _, in := range h.Catalog.List() {
		y := strconv.Itoa(year)
		r := windowRow{Inst: in, W: period.Window{Instrument: in.ID, Opens: period.Day(y + "-01-15"),
			SelfDeadline: period.Day(y + "-09-30"), ReviewDeadline: period.Day(y + "-11-30")}, Used: counts[in.ID]}
		if stored != nil {
			r.W, r.Included = stored.Window(in.ID)
			if !r.Included {
				r.W = period.Window{Instrument: in.ID, Opens: period.Day(y + "-01-15"), SelfDeadline: period.Day(y + "-09-30"), ReviewDeadline: period.Day(y + "-11-30")}
			}
		} else {
			r.Included = defaults[in.ID]
		}
		rows = append(rows, r)
	}
	return rows, nil
}

// extensionRow is a current extension, for the period page.
type extensionRow struct {
	A        assessment.Assessment
	UnitName string
	Title    string
	// Until is the extended deadline as every page says it ("s.d. … pukul 23.59 WITA").
	Until period.Due
}

func (h *Handler) renderPeriod(c *fiber.Ctx, year int, rows []windowRow, msg string, ext fiber.Map) error {
	ctx := c.UserContext()
	stored, err := h.Periods.ByYear(ctx, year)
	if err != nil && !apperr.Is(err, apperr.NotFound) {
		return err
	}
	if rows == nil {
		if rows, err = h.periodForm(ctx, year, stored); err != nil {
			return err
		}
	}
	data := fiber.Map{"Year": year, "Rows": rows, "Stored": stored != nil, "Galat": msg, "Saved": c.Query("tersimpan")}
	if stored != nil {
		kecs, err := h.Units.ActiveKecamatan(ctx)
		if err != nil {
			return err
		}
		names, err := h.Units.Names(ctx)
		if err != nil {
			return err
		}
		as, err := h.Assessments.List(ctx, assessment.Filter{Period: year})
		if err != nil {
			return err
		}
		var exts []extensionRow
		for _, a := range as {
			if a.Extension != nil {
				title := a.Instrument
				if in, ok := h.Catalog.Get(a.Instrument); ok {
					title = in.Title
				}
				exts = append(exts, extensionRow{A: a, UnitName: names[a.Unit], Title: title,
					Until: period.Due{Day: a.Extension.Until, Zone: h.zone(ctx), Kind: period.DueExtension}})
			}
		}
		var insts []titled
		for _, w := range stored.Instruments {
			t := titled{ID: w.Instrument, Title: w.Instrument}
			if in, ok := h.Catalog.Get(w.Instrument); ok {
				t.Title = in.Title
			}
			insts = append(insts, t)
		}
		data["Kecamatan"], data["Extensions"], data["Instruments"] = kecs, exts, insts
		data["Assessments"] = len(as)
	}
	for k, v := range ext {
		data[k] = v
	}
	return web.Render(c, "admin/period", fmt.Sprintf("Periode %d", year), data)
}

func (h *Handler) periodPage(c *fiber.Ctx) error {
	if _, err := manage(c); err != nil {
		return err
	}
	y, err := period.ParseYear(c.Params("year"))
	if err != nil {
		return err
	}
	return h.renderPeriod(c, y, nil, "", nil)
}

// savePeriodForm reads the form (for each instrument: ikut_<id>, buka_<id>, batas_<id>,
// reviu_<id>) and opens the period as a job with its progress.
func (h *Handler) savePeriodForm(c *fiber.Ctx) error {
	by, err := manage(c)
	if err != nil {
		return err
	}
	y, err := period.ParseYear(c.Params("year"))
	if err != nil {
		return err
	}
	p := period.Period{Year: y}
	var rows []windowRow
	for _, in := range h.Catalog.List() {
		w := period.Window{Instrument: in.ID, Opens: period.Day(strings.TrimSpace(c.FormValue("buka_" + in.ID))),
			SelfDeadline: period.Day(strings.TrimSpace(c.FormValue("batas_" + in.ID))), ReviewDeadline: period.Day(strings.TrimSpace(c.FormValue("reviu_" + in.ID)))}
		included := c.FormValue("ikut_"+in.ID) == "ya"
		rows = append(rows, windowRow{Inst: in, W: w, Included: included})
		if included {
			p.Instruments = append(p.Instruments, w)
		}
	}
	fail := func(err error) error {
		return formError(c, err, func(msg string) error { return h.renderPeriod(c, y, rows, msg, nil) })
	}
	if len(p.Instruments) == 0 {
		return fail(apperr.New(apperr.Invalid, "Pilih sedikitnya satu instrumen untuk periode %d.", y))
	}
	// Checked before the job starts, so a mistake comes back on the form with what was typed.
	if err := p.Validate(h.instrumentTitle); err != nil {
		return fail(err)
	}
	j, err := h.Jobs.Start(c.UserContext(), jobs.Job{Kind: "periode", Owner: by.Username, Title: fmt.Sprintf("Membuka periode %d", y),
		Link: fmt.Sprintf("/admin/periode/%d", y)},
		func(ctx context.Context, pr *jobs.Progress) (jobs.Outcome, error) {
			out, err := h.openPeriod(ctx, by, p, func(done, total int, step string) { pr.Set(ctx, done, total, step) })
			if err != nil {
				return jobs.Outcome{}, err
			}
			return jobs.Outcome{Result: fmt.Sprintf("Periode %d tersimpan: %d penilaian dibuat, %d sudah ada.", y, out.Created, out.Existing),
				Link: fmt.Sprintf("/admin/periode/%d?tersimpan=1", y)}, nil
		})
	if err != nil {
		return err
	}
	return c.Redirect("/tugas/"+j.ID, fiber.StatusSeeOther)
}

// maxReason bounds an extension's reason (characters).
const maxReason = 300

// setExtension gives assessment id an extension through until ("" removes it), audited.
// Errors: NotFound; Invalid naming the field (until: not a date, or not after the deadline it
// extends; reason: missing or too long).
func (h *Handler) setExtension(ctx context.Context, by *account.User, id, until, reason string) (*assessment.Assessment, period.Due, error) {
	a, err := h.Assessments.ByID(ctx, id)
	if err != nil {
		return nil, period.Due{}, err
	}
	reason = strings.TrimSpace(reason)
	if reason == "" {
		return nil, period.Due{}, apperr.InField("reason", "Isi alasan perpanjangan (ditampilkan kepada kecamatan).")
	}
	if len([]rune(reason)) > maxReason {
		return nil, period.Due{}, apperr.InField("reason", "Alasan perpanjangan paling panjang %d karakter.", maxReason)
	}
	p, err := h.Periods.ByYear(ctx, a.Period)
	if err != nil {
		return nil, period.Due{}, err
	}
	loc := h.zone(ctx)
	base := *a
	base.Extension = nil
	due, err := assessment.DeadlineOf(&base, p, loc)
	if err != nil {
		return nil, period.Due{}, err
	}
	var ext *assessment.Extension
	detail := "perpanjangan dicabut: " + reason
	if until = strings.TrimSpace(until); until != "" {
		d, err := period.ParseDay("until", until)
		if err != nil {
			return nil, period.Due{}, err
		}
		if d <= due.Day {
			return nil, period.Due{}, apperr.InField("until", "Perpanjangan harus sesudah batas yang berlaku (%s).", due.Text())
		}
		ext = &assessment.Extension{Until: d, Reason: reason, By: by.Username, At: h.Now().UTC()}
		detail = fmt.Sprintf("s.d. %s: %s", d.Long(), reason)
	}
	a, err = h.Assessments.SetExtension(ctx, id, ext, func(ctx context.Context, a *assessment.Assessment) error {
		return h.Audit.Append(ctx, h.event(by, audit.Extension, id, a.Unit, detail))
	})
	if err != nil {
		return nil, period.Due{}, err
	}
	due, err = assessment.DeadlineOf(a, p, loc)
	return a, due, err
}

func (h *Handler) apiExtension(c *fiber.Ctx) error {
	by, err := manage(c)
	if err != nil {
		return err
	}
	y, err := period.ParseYear(c.Params("year"))
	if err != nil {
		return err
	}
	var req struct {
		Until  *string `json:"until"`
		Reason string  `json:"reason"`
	}
	if err := decode(c, &req, `{"until": "2026-12-15" | null, "reason"}`); err != nil {
		return err
	}
	if req.Until == nil {
		return apperr.InField("until", "Isi tanggal perpanjangan (TTTT-BB-HH), atau \"\" untuk mencabutnya.")
	}
	a, due, err := h.setExtension(c.UserContext(), by, assessment.ID(y, c.Params("instrument"), c.Params("unit")), *req.Until, req.Reason)
	if err != nil {
		return err
	}
	return c.JSON(fiber.Map{"id": a.ID, "extension": a.Extension,
		"deadline": fiber.Map{"day": due.Day, "kind": due.Kind, "text": due.Text()}})
}

func (h *Handler) extensionForm(c *fiber.Ctx) error {
	by, err := manage(c)
	if err != nil {
		return err
	}
	y, err := period.ParseYear(c.Params("year"))
	if err != nil {
		return err
	}
	unitCode, inst, until, reason := c.FormValue("unit"), c.FormValue("instrument"), c.FormValue("until"), c.FormValue("reason")
	if _, _, err := h.setExtension(c.UserContext(), by, assessment.ID(y, inst, unitCode), until, reason); err != nil {
		typed := fiber.Map{"ExtUnit": unitCode, "ExtInstrument": inst, "ExtUntil": until, "ExtReason": reason}
		return formError(c, err, func(msg string) error {
			typed["ExtGalat"] = msg
			return h.renderPeriod(c, y, nil, "", typed)
		})
	}
	return c.Redirect(fmt.Sprintf("/admin/periode/%d?tersimpan=perpanjangan#perpanjangan", y), fiber.StatusSeeOther)
}
