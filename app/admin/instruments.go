package admin

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"unicode/utf8"

	"github.com/gofiber/fiber/v2"

	"github.com/rapor-rb/raporrb/app/account"
	"github.com/rapor-rb/raporrb/app/apperr"
	"github.com/rapor-rb/raporrb/app/assessment"
	"github.com/rapor-rb/raporrb/app/audit"
	"github.com/rapor-rb/raporrb/app/instrument"
	"github.com/rapor-rb/raporrb/app/web"
)

// instrumentMaxBytes bounds an uploaded sheet (the largest shipped, ZI, is about 40 KB).
const instrumentMaxBytes = 1 << 20

func (h *Handler) instrumentRoutes(r web.Router) {
	r.Upload("/api/v1/instruments", account.AdminsOnly, h.apiUploadInstrument)
	r.Get("/admin/instrumen", account.AdminsOnly, h.instrumentsPage)
	r.Upload("/admin/instrumen", account.AdminsOnly, h.previewInstrumentForm)
	r.Post("/admin/instrumen/terima", account.AdminsOnly, h.acceptInstrumentForm)
}

// parseSheet validates an uploaded sheet with the checks (and the one-line messages) of
// start-up, and the rule that an instrument never changes in place: an embedded id, or an
// uploaded one already used by an assessment, needs a new id. Errors: Invalid.
func (h *Handler) parseSheet(ctx context.Context, name string, data []byte) (*instrument.Instrument, error) {
	if bytes.IndexByte(data, 0) >= 0 || !utf8.Valid(data) || !strings.HasPrefix(http.DetectContentType(data), "text/") {
		return nil, apperr.New(apperr.Invalid, "Berkas %q bukan YAML (teks UTF-8). Unggah lembar instrumen berformat YAML.", name)
	}
	in, err := instrument.Parse(name, data)
	var ie *instrument.Error
	if errors.As(err, &ie) {
		return nil, apperr.New(apperr.Invalid, "%s", ie.Error())
	} else if err != nil {
		return nil, err
	}
	if _, ok := h.Catalog.Get(in.ID); ok && !h.Catalog.Uploaded(in.ID) {
		return nil, apperr.InField("id", "Instrumen %q adalah instrumen bawaan dan tidak diubah di tempat; beri versi baru id baru (mis. %s).", in.ID, nextID(in.ID))
	}
	if h.Catalog.Uploaded(in.ID) {
		as, err := h.Assessments.List(ctx, assessment.Filter{Instrument: in.ID})
		if err != nil {
			return nil, err
		}
		if len(as) > 0 {
			return nil, apperr.InField("id", "Instrumen %q sudah dipakai %d penilaian dan tidak diubah di tempat; beri versi baru id baru (mis. %s).", in.ID, len(as), nextID(in.ID))
		}
	}
	return in, nil
}

// nextID suggests the id of a new version: "zi-2026" → "zi-2026-2", "zi-2026-2" → "zi-2026-3".
func nextID(id string) string {
	fam, year, rev := instrument.Version(id)
	if year == 0 {
		return id + "-2"
	}
	return fmt.Sprintf("%s-%d-%d", fam, year, max(rev, 1)+1)
}

// acceptSheet stores a validated sheet (audited in the same write) and adds it to the
// catalog, where every reader sees it at once.
func (h *Handler) acceptSheet(ctx context.Context, by *account.User, name string, data []byte) (*instrument.Instrument, error) {
	in, err := h.parseSheet(ctx, name, data)
	if err != nil {
		return nil, err
	}
	replaced := h.Catalog.Uploaded(in.ID)
	detail := fmt.Sprintf("%s (%s, %d indikator) dari %q", in.Title, in.ID, in.NumIndicators(), name)
	if replaced {
		detail = "mengganti unggahan sebelumnya (belum dipakai): " + detail
	}
	err = h.DB.Write(ctx, func(ctx context.Context) error {
		if err := h.Instruments.Put(ctx, instrument.Stored{ID: in.ID, YAML: string(data), By: by.Username, At: h.Now().UTC()}); err != nil {
			return err
		}
		if err := h.Audit.Append(ctx, h.event(by, audit.InstrumentAdd, in.ID, "", detail)); err != nil {
			return err
		}
		return h.Catalog.Upload(in)
	})
	return in, err
}

// sheetRow is one area of the preview tree.
type sheetRow struct {
	Code, Title        string
	Depth              int
	Weight, Points     float64
	Indicators         int
	FirstIndicatorText string
}

// sheetPreview is the tree an admin checks before accepting a sheet.
type sheetPreview struct {
	ID, Title, Regulation string
	ScaleMax              float64
	NumIndicators         int
	Rows                  []sheetRow
	Grades                []instrument.Grade
	Predicates            []instrument.Predicate
	Scales                []string
	Version               string
}

func previewOf(in *instrument.Instrument) sheetPreview {
	p := sheetPreview{ID: in.ID, Title: in.Title, Regulation: in.Regulation, ScaleMax: in.ScaleMax, NumIndicators: in.NumIndicators(),
		Grades: in.Grades, Predicates: in.Predicates}
	in.Walk(func(a *instrument.Area, depth int) {
		r := sheetRow{Code: a.Code, Title: a.Title, Depth: depth, Weight: a.Weight, Points: in.Points(a), Indicators: len(a.Indicators)}
		if len(a.Indicators) > 0 {
			r.FirstIndicatorText = a.Indicators[0].Text
		}
		p.Rows = append(p.Rows, r)
	})
	for name, s := range in.Scales {
		desc := name + ": " + s.Kind
		if s.Kind == instrument.KindChoice {
			desc += " (" + strings.Join(s.Keys(), "/") + ")"
		}
		p.Scales = append(p.Scales, desc)
	}
	fam, year, rev := instrument.Version(in.ID)
	if year > 0 {
		p.Version = fmt.Sprintf("keluarga %s, tahun %d", fam, year)
		if rev > 0 {
			p.Version += fmt.Sprintf(", revisi %d", rev)
		}
	}
	return p
}

// summaryOf is an instrument as the API lists it.
func summaryOf(in *instrument.Instrument, uploaded bool) fiber.Map {
	return fiber.Map{"id": in.ID, "title": in.Title, "regulation": in.Regulation, "scale_max": in.ScaleMax,
		"indicators": in.NumIndicators(), "uploaded": uploaded}
}

// apiUploadInstrument takes a sheet (YAML) as a multipart "file" (the only body an API upload
// route takes besides JSON);
// ?dry_run=true only validates and previews it.
func (h *Handler) apiUploadInstrument(c *fiber.Ctx) error {
	by, err := manage(c)
	if err != nil {
		return err
	}
	if !web.IsMultipart(c) {
		return apperr.New(apperr.Invalid, "Kirim lembar instrumen (YAML) sebagai kolom multipart \"file\".")
	}
	up, err := web.ReadUpload(c, instrumentMaxBytes)
	if err != nil {
		return err
	}
	name, data := up.Name, up.Data
	if dry := c.Query("dry_run"); dry == "true" || dry == "1" {
		in, err := h.parseSheet(c.UserContext(), name, data)
		if err != nil {
			return err
		}
		return c.JSON(fiber.Map{"dry_run": true, "instrument": summaryOf(in, true), "tree": in.Areas})
	}
	in, err := h.acceptSheet(c.UserContext(), by, name, data)
	if err != nil {
		return err
	}
	return c.Status(fiber.StatusCreated).JSON(fiber.Map{"dry_run": false, "instrument": summaryOf(in, true)})
}

// catalogRow is an instrument on the admin's list.
type catalogRow struct {
	*instrument.Instrument
	Uploaded bool
	Used     int
	Years    []int
}

func (h *Handler) renderInstruments(c *fiber.Ctx, data fiber.Map) error {
	as, err := h.Assessments.List(c.UserContext(), assessment.Filter{})
	if err != nil {
		return err
	}
	used := map[string]int{}
	years := map[string][]int{}
	for _, a := range as {
		used[a.Instrument]++
		if ys := years[a.Instrument]; len(ys) == 0 || ys[len(ys)-1] != a.Period {
			years[a.Instrument] = append(ys, a.Period)
		}
	}
	var rows []catalogRow
	for _, in := range h.Catalog.List() {
		rows = append(rows, catalogRow{Instrument: in, Uploaded: h.Catalog.Uploaded(in.ID), Used: used[in.ID], Years: years[in.ID]})
	}
	data["Rows"] = rows
	return web.Render(c, "admin/instruments", "Instrumen", data)
}

func (h *Handler) instrumentsPage(c *fiber.Ctx) error {
	if _, err := manage(c); err != nil {
		return err
	}
	return h.renderInstruments(c, fiber.Map{"Saved": c.Query("tersimpan")})
}

const sheetStageKind = "instrumen"

type stagedSheet struct {
	Name string `bson:"name"`
	Data []byte `bson:"data"`
}

func (h *Handler) previewInstrumentForm(c *fiber.Ctx) error {
	by, err := manage(c)
	if err != nil {
		return err
	}
	up, err := web.ReadUpload(c, instrumentMaxBytes)
	var in *instrument.Instrument
	if err == nil {
		in, err = h.parseSheet(c.UserContext(), up.Name, up.Data)
	}
	if err != nil {
		return formError(c, err, func(msg string) error { return h.renderInstruments(c, fiber.Map{"Galat": msg}) })
	}
	token, err := h.Jobs.Stage(c.UserContext(), sheetStageKind, by.Username, in.ID, stagedSheet{Name: up.Name, Data: up.Data})
	if err != nil {
		return err
	}
	return h.renderInstruments(c, fiber.Map{"Preview": previewOf(in), "Token": token, "FileName": up.Name,
		"Replaces": h.Catalog.Uploaded(in.ID)})
}

func (h *Handler) acceptInstrumentForm(c *fiber.Ctx) error {
	by, err := manage(c)
	if err != nil {
		return err
	}
	var st stagedSheet
	token, id := c.FormValue("token"), c.FormValue("id")
	if err := h.Jobs.Staged(c.UserContext(), token, sheetStageKind, by.Username, id, &st); err != nil {
		return err
	}
	in, err := h.acceptSheet(c.UserContext(), by, st.Name, st.Data)
	if err != nil {
		return formError(c, err, func(msg string) error { return h.renderInstruments(c, fiber.Map{"Galat": msg}) })
	}
	if err := h.Jobs.Unstage(c.UserContext(), token); err != nil {
		return err
	}
	return c.Redirect("/admin/instrumen?tersimpan="+in.ID, fiber.StatusSeeOther)
}
