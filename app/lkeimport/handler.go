package lkeimport

import (
	"bytes"
	"context"
	"encoding/csv"
	"fmt"
	"strings"

	"github.com/gofiber/fiber/v2"

	"github.com/rapor-rb/raporrb/app/account"
	"github.com/rapor-rb/raporrb/app/apperr"
	"github.com/rapor-rb/raporrb/app/assessment"
	"github.com/rapor-rb/raporrb/app/audit"
	"github.com/rapor-rb/raporrb/app/instrument"
	"github.com/rapor-rb/raporrb/app/jobs"
	"github.com/rapor-rb/raporrb/app/web"
)

// Handler serves the import page (preview, then apply as a job with its progress) and the API.
type Handler struct {
	Assessments *assessment.Handler // resolves year/instrument/unit with the access check
	Service     *assessment.Service
	Jobs        *jobs.Runner
	Audit       *audit.Log
}

// Routes registers the page, its template download and the API. Only the unit's staf and
// camat import (account.Answer on their own unit).
func (h *Handler) Routes(r web.Router) {
	g := r.Group("/penilaian/:year/:instrument/:unit/impor")
	g.Get("", account.UnitMembers, h.form)
	g.Upload("", account.UnitMembers, h.preview)
	g.Post("/terapkan", account.UnitMembers, h.apply)
	g.Get("/templat.csv", account.UnitMembers, h.template)
	r.Upload("/api/v1/assessments/:year/:instrument/:unit/import", account.UnitMembers, h.api)
}

// stagedImport is what waits between a preview and its confirmation: the rows read and the
// answers' revs as previewed (a list: indicator codes hold dots, never field names).
type stagedImport struct {
	Name      string    `bson:"name"`
	File      File      `bson:"file"`
	Previewed bool      `bson:"previewed"` // Revs hold what the preview saw
	Revs      []seenRev `bson:"revs"`
}

type seenRev struct {
	Code string `bson:"code"`
	Rev  int64  `bson:"rev"`
}

// revs is the staged revs as a map (non-nil: the apply checks them).
func (st stagedImport) revs() map[string]int64 {
	m := make(map[string]int64, len(st.Revs))
	for _, r := range st.Revs {
		m[r.Code] = r.Rev
	}
	return m
}

const stageKind = "impor-lke"

// target reads the assessment as it stands for a preview or an apply.
func (h *Handler) target(ctx context.Context, u *account.User, a *assessment.Assessment, inst *instrument.Instrument, unitName string, revs map[string]int64) (Target, error) {
	sh, err := h.Service.Store.Sheet(ctx, a.ID)
	if err != nil {
		return Target{}, err
	}
	return Target{Inst: inst, A: a, Sheet: sh, UnitName: unitName, Revs: revs,
		Editable: func(ind string) error { return h.Service.CheckEditable(ctx, u, a, sh, ind) }}, nil
}

func (h *Handler) load(c *fiber.Ctx) (*assessment.Assessment, *instrument.Instrument, string, error) {
	a, inst, err := h.Assessments.Load(c, account.Answer)
	if err != nil {
		return nil, nil, "", err
	}
	un, err := h.Assessments.Units.ByCode(c.UserContext(), a.Unit)
	if err != nil {
		return nil, nil, "", err
	}
	return a, inst, un.Name, nil
}

func base(a *assessment.Assessment) string {
	return fmt.Sprintf("/penilaian/%d/%s/%s", a.Period, a.Instrument, a.Unit)
}

func (h *Handler) render(c *fiber.Ctx, a *assessment.Assessment, inst *instrument.Instrument, unitName string, data fiber.Map) error {
	data["A"], data["Inst"], data["UnitName"], data["Base"] = a, inst, unitName, base(a)
	return web.Render(c, "import/answers", "Impor jawaban · "+inst.Title, data)
}

func (h *Handler) form(c *fiber.Ctx) error {
	a, inst, name, err := h.load(c)
	if err != nil {
		return err
	}
	return h.render(c, a, inst, name, fiber.Map{})
}

// revsOf records the answers' revs of the sheet, as the preview saw them.
func revsOf(sh *assessment.Sheet) []seenRev {
	out := make([]seenRev, 0, len(sh.Answers))
	for _, ans := range sh.Answers {
		out = append(out, seenRev{Code: ans.Indicator, Rev: ans.Rev})
	}
	return out
}

func (h *Handler) preview(c *fiber.Ctx) error {
	a, inst, name, err := h.load(c)
	if err != nil {
		return err
	}
	u := web.CurrentUser(c)
	up, err := web.ReadUpload(c, MaxBytes)
	var f *File
	if err == nil {
		f, err = Read(up.Data)
	}
	if apperr.Is(err, apperr.Invalid) || apperr.Is(err, apperr.TooLarge) {
		status := web.Status(err)
		c.Status(status)
		return h.render(c, a, inst, name, fiber.Map{"Galat": apperr.Message(err)})
	} else if err != nil {
		return err
	}
	t, err := h.target(c.UserContext(), u, a, inst, name, nil)
	if err != nil {
		return err
	}
	p := Plan(f, t)
	data := fiber.Map{"P": p, "FileName": up.Name}
	if p.OK() {
		token, err := h.Jobs.Stage(c.UserContext(), stageKind, u.Username, a.ID, stagedImport{Name: up.Name, File: *f, Previewed: true, Revs: revsOf(t.Sheet)})
		if err != nil {
			return err
		}
		data["Token"] = token
	}
	return h.render(c, a, inst, name, data)
}

// apply starts the import as a job and shows its progress.
func (h *Handler) apply(c *fiber.Ctx) error {
	a, inst, name, err := h.load(c)
	if err != nil {
		return err
	}
	u := web.CurrentUser(c)
	var st stagedImport
	if err := h.Jobs.Staged(c.UserContext(), c.FormValue("token"), stageKind, u.Username, a.ID, &st); err != nil {
		return err
	}
	if err := h.Jobs.Unstage(c.UserContext(), c.FormValue("token")); err != nil {
		return err
	}
	j, err := h.Jobs.Start(c.UserContext(), jobs.Job{Kind: stageKind, Owner: u.Username, Link: base(a) + "/impor",
		Title: fmt.Sprintf("Impor jawaban %s · %s", inst.Title, name)},
		func(ctx context.Context, p *jobs.Progress) (jobs.Outcome, error) {
			p.Set(ctx, 0, 2, "Memeriksa berkas terhadap lembar kerja")
			res, err := h.run(ctx, u, a.ID, inst, name, st)
			if err != nil {
				return jobs.Outcome{}, err
			}
			p.Set(ctx, 2, 2, "Tersimpan")
			return jobs.Outcome{Result: res.summary(), Link: base(a)}, nil
		})
	if err != nil {
		return err
	}
	return c.Redirect("/tugas/"+j.ID, fiber.StatusSeeOther)
}

// applied is what an import did.
type applied struct {
	P *Preview
	A *assessment.Assessment
}

func (r applied) summary() string {
	return fmt.Sprintf("%d jawaban diperbarui, %d tautan bukti ditambahkan.", r.P.Changes, r.P.Links)
}

// run plans the staged file against the sheet as it stands now, with the revs of the preview,
// and applies it all or nothing through the assessment service, audited in the same write.
func (h *Handler) run(ctx context.Context, u *account.User, id string, inst *instrument.Instrument, unitName string, st stagedImport) (applied, error) {
	a, err := h.Service.Store.ByID(ctx, id)
	if err != nil {
		return applied{}, err
	}
	var revs map[string]int64
	if st.Previewed {
		revs = st.revs()
	}
	t, err := h.target(ctx, u, a, inst, unitName, revs)
	if err != nil {
		return applied{}, err
	}
	p := Plan(&st.File, t)
	switch {
	case p.Blocked != "":
		return applied{P: p}, apperr.WithDetail(apperr.Forbidden, p, "%s Tidak ada yang disimpan.", p.Blocked)
	case p.Invalid > 0:
		return applied{P: p}, apperr.WithDetail(apperr.Invalid, p, "%d baris tidak valid; tidak ada yang disimpan. Perbaiki berkasnya lalu unggah lagi.", p.Invalid)
	case len(p.Plan) == 0:
		return applied{P: p, A: a}, nil
	}
	a, err = h.Service.SaveAnswers(ctx, u, id, p.Plan, func(ctx context.Context, a *assessment.Assessment) error {
		return h.Audit.Append(ctx, audit.Event{At: h.Service.Now(), Actor: u.Username, Action: audit.Import, Target: id, Unit: a.Unit,
			Detail: fmt.Sprintf("Impor jawaban dari %q (%s): %d jawaban, %d tautan bukti.", st.Name, p.Layout, p.Changes, p.Links)})
	})
	if err != nil {
		return applied{P: p}, err
	}
	return applied{P: p, A: a}, nil
}

// api previews (?dry_run=true) or applies an import in one request.
func (h *Handler) api(c *fiber.Ctx) error {
	a, inst, name, err := h.load(c)
	if err != nil {
		return err
	}
	u := web.CurrentUser(c)
	up, err := web.ReadUpload(c, MaxBytes)
	if err != nil {
		return err
	}
	f, err := Read(up.Data)
	if err != nil {
		return err
	}
	if dry := c.Query("dry_run"); dry == "true" || dry == "1" {
		t, err := h.target(c.UserContext(), u, a, inst, name, nil)
		if err != nil {
			return err
		}
		return c.JSON(fiber.Map{"dry_run": true, "preview": Plan(f, t)})
	}
	res, err := h.run(c.UserContext(), u, a.ID, inst, name, stagedImport{Name: up.Name, File: *f})
	if err != nil {
		return err
	}
	return c.JSON(fiber.Map{"dry_run": false, "preview": res.P, "self": res.A.Self, "progress": res.A.Progress})
}

// template downloads the import template of the instrument: a header row, then one row per
// indicator with its code and text, the stored answer, note and links filled in.
func (h *Handler) template(c *fiber.Ctx) error {
	a, inst, _, err := h.load(c)
	if err != nil {
		return err
	}
	sh, err := h.Service.Store.Sheet(c.UserContext(), a.ID)
	if err != nil {
		return err
	}
	var buf bytes.Buffer
	buf.WriteString("\xef\xbb\xbf") // a BOM, so spreadsheet programs read UTF-8
	w := csv.NewWriter(&buf)
	_ = w.Write([]string{"kode", "indikator", "pilihan", "jawaban", "catatan", "bukti"})
	for _, ind := range inst.Indicators() {
		var answer, note string
		var links []string
		if ans := sh.Answer(ind.Code); ans != nil {
			if s := ans.Self; s != nil {
				answer = strings.Replace(shown(s.Option, s.Value, ""), ",", ".", 1)
				note = s.Note
			}
			for _, e := range ans.Evidence {
				if e.Kind == assessment.EvidenceLink {
					links = append(links, e.Name+" ("+e.URL+")")
				}
			}
		}
		_ = w.Write([]string{ind.Code, ind.Text, choices(inst, ind.Code), answer, note, strings.Join(links, "; ")})
	}
	w.Flush()
	if err := w.Error(); err != nil {
		return err
	}
	c.Set(fiber.HeaderContentType, "text/csv; charset=utf-8")
	c.Set(fiber.HeaderContentDisposition, fmt.Sprintf(`attachment; filename="templat-impor-%s-%s-%d.csv"`, inst.ID, a.Unit, a.Period))
	return c.Send(buf.Bytes())
}

// choices describes what the indicator's scale accepts: "Ya/Tidak", "0–100", "0–4".
func choices(inst *instrument.Instrument, code string) string {
	s := inst.ScaleOf(code)
	switch s.Kind {
	case instrument.KindChoice:
		return strings.Join(s.Keys(), "/")
	case instrument.KindPercent:
		return "0–100"
	case instrument.KindNumber:
		if s.Min != nil && s.Max != nil {
			return strings.Replace(fmt.Sprintf("%g–%g", *s.Min, *s.Max), ".", ",", -1)
		}
	}
	return ""
}
