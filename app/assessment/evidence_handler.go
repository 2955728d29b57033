package assessment

import (
	"encoding/json"
	"io"
	"mime"
	"mime/multipart"
	"net/url"
	"strings"

	"github.com/gofiber/fiber/v2"

	"github.com/rapor-rb/raporrb/app/account"
	"github.com/rapor-rb/raporrb/app/apperr"
	"github.com/rapor-rb/raporrb/app/evidence"
	"github.com/rapor-rb/raporrb/app/instrument"
	"github.com/rapor-rb/raporrb/app/web"
)

// EvidenceRoutes registers evidence uploads, links, downloads and removal, for the API and
// the page alike (one code path: the Service).
func (h *Handler) EvidenceRoutes(r web.Router) {
	api := r.Group("/api/v1/assessments/:year/:instrument/:unit")
	api.Upload("/answers/:indicator/evidence", account.UnitMembers, h.apiAddEvidence)
	api.Delete("/answers/:indicator/evidence/:sha", account.UnitMembers, h.apiRemoveEvidence)
	api.Get("/evidence/:sha", account.SignedIn, h.download)

	page := r.Group("/penilaian/:year/:instrument/:unit")
	page.Upload("/bukti/:indicator", account.UnitMembers, h.pageUpload)
	page.Post("/tautan/:indicator", account.UnitMembers, h.pageLink)
	page.Post("/bukti/:indicator/:sha/hapus", account.UnitMembers, h.pageRemove)
	page.Get("/berkas/:sha", account.SignedIn, h.download)
}

// eachUpload streams the "file" parts of a multipart body to fn, never buffering a file. The
// body is web.UploadBody's stream, limited in all; reading past it is 413.
func (h *Handler) eachUpload(c *fiber.Ctx, fn func(Upload) error) error {
	mt, params, err := mime.ParseMediaType(c.Get(fiber.HeaderContentType))
	body := web.UploadBody(c)
	if err != nil || mt != fiber.MIMEMultipartForm || params["boundary"] == "" || body == nil {
		return apperr.New(apperr.Invalid, "Unggah berkas sebagai multipart/form-data dengan kolom \"file\".")
	}
	mr := multipart.NewReader(body, params["boundary"])
	n := 0
	for {
		part, err := mr.NextPart()
		if err == io.EOF {
			break
		} else if err != nil {
			return web.UploadError(c, err)
		}
		if part.FormName() != "file" {
			continue
		}
		// The name as the client sent it: Part.FileName would silently strip a path, and a
		// name with separators must be refused, not rewritten.
		_, disp, _ := mime.ParseMediaType(part.Header.Get("Content-Disposition"))
		name := disp["filename"]
		if name == "" {
			return apperr.New(apperr.Invalid, "Pilih berkas yang akan diunggah.")
		}
		if n++; n > web.MaxFilesPerUpload {
			return apperr.New(apperr.Invalid, "Paling banyak %d berkas sekali unggah.", web.MaxFilesPerUpload)
		}
		if err := fn(Upload{Name: name, Body: part}); err != nil {
			if web.IsUploadTooLarge(err) {
				return web.UploadError(c, err)
			}
			return err
		}
	}
	if n == 0 {
		return apperr.New(apperr.Invalid, "Pilih berkas yang akan diunggah (kolom \"file\").")
	}
	return nil
}

func (h *Handler) apiAddEvidence(c *fiber.Ctx) error {
	a, _, err := h.Load(c, account.Answer)
	if err != nil {
		return err
	}
	u, code := web.CurrentUser(c), c.Params("indicator")
	var added []*Evidence
	if web.IsMultipart(c) {
		err = h.eachUpload(c, func(up Upload) error {
			e, err := h.Service.AddFile(c.UserContext(), u, a.ID, code, up, h.UploadMax)
			if err == nil {
				added = append(added, e)
			}
			return err
		})
	} else {
		var req struct {
			URL  string `json:"url"`
			Name string `json:"name"`
		}
		if jerr := json.Unmarshal(c.Body(), &req); jerr != nil || req.URL == "" {
			return apperr.New(apperr.Invalid, "Kirim berkas (multipart, kolom \"file\") atau JSON {\"url\"} untuk tautan.")
		}
		var e *Evidence
		if e, err = h.Service.AddLink(c.UserContext(), u, a.ID, code, req.URL, req.Name); err == nil {
			added = append(added, e)
		}
	}
	if err != nil {
		return err
	}
	c.Status(fiber.StatusCreated)
	return c.JSON(fiber.Map{"evidence": added})
}

func (h *Handler) apiRemoveEvidence(c *fiber.Ctx) error {
	a, _, err := h.Load(c, account.Answer)
	if err != nil {
		return err
	}
	if err := h.Service.RemoveEvidence(c.UserContext(), web.CurrentUser(c), a.ID, c.Params("indicator"), c.Params("sha")); err != nil {
		return err
	}
	return c.SendStatus(fiber.StatusNoContent)
}

// download serves evidence bytes to whoever may read the assessment, with the sniffed type,
// nosniff, a CSP that runs nothing, and inline display only for PDF and images.
func (h *Handler) download(c *fiber.Ctx) error {
	a, _, err := h.Load(c, account.Read)
	if err != nil {
		return err
	}
	if !evidence.ValidID(c.Params("sha")) {
		return apperr.New(apperr.NotFound, "Berkas bukti tidak ditemukan.")
	}
	e, rc, n, err := h.Service.OpenEvidence(c.UserContext(), web.CurrentUser(c), a, c.Params("sha"))
	if err != nil {
		return err
	}
	disposition := "attachment"
	if e.Type == evidence.TypePDF || strings.HasPrefix(e.Type, "image/") {
		disposition = "inline"
	}
	c.Set(fiber.HeaderContentType, e.Type)
	c.Set(fiber.HeaderXContentTypeOptions, "nosniff")
	c.Set(fiber.HeaderContentSecurityPolicy, "default-src 'none'; img-src 'self'; object-src 'self'; style-src 'unsafe-inline'; frame-ancestors 'self'")
	// The name's extension is the sniffed type's, also for evidence stored before names were
	// checked against it.
	c.Set(fiber.HeaderContentDisposition, mime.FormatMediaType(disposition, map[string]string{"filename": evidence.NameFor(e.Name, e.Type)}))
	c.Set(fiber.HeaderCacheControl, "private, max-age=3600")
	return c.SendStream(rc, int(n))
}

// back returns to the indicator on the page after a form.
func back(c *fiber.Ctx, code string) error {
	base := "/penilaian/" + c.Params("year") + "/" + c.Params("instrument") + "/" + c.Params("unit")
	return c.Redirect(base+"#ind-"+url.PathEscape(code), fiber.StatusSeeOther)
}

// evidenceDone answers an evidence form of the page. Success: the indicator's evidence block
// (htmx), or back to the indicator. A refusal the person can act on (a wrong type, too big, no
// file, a bad link, a duplicate, a closed sheet): shown in that indicator's evidence block,
// with the status of the error, and with the link they typed; without JavaScript the whole
// sheet comes back with it, never an error page in its place. Anything else goes to the one
// error handler.
func (h *Handler) evidenceDone(c *fiber.Ctx, a *Assessment, code string, typed *Typed, err error) error {
	state := &Row{Indicator: instrument.Indicator{Code: code}, State: "bukti-tersimpan"}
	status := fiber.StatusOK
	if err != nil {
		switch apperr.KindOf(err) {
		case apperr.Invalid, apperr.TooLarge, apperr.Conflict, apperr.NotFound, apperr.Forbidden:
		default:
			return err
		}
		st, _, _ := web.StatusOf(err)
		status, state.State, state.EvidenceError, state.Typed = st, "", CardMessage(err, code), typed
	}
	if !web.IsHtmx(c) && err == nil {
		return back(c, code)
	}
	inst, _ := h.Catalog.Get(a.Instrument)
	fresh, ferr := h.Store.ByID(c.UserContext(), a.ID)
	if ferr != nil {
		return ferr
	}
	p, ferr := h.build(c.UserContext(), web.CurrentUser(c), fresh, inst, "", state)
	if ferr != nil {
		return ferr
	}
	c.Status(status)
	if web.IsHtmx(c) {
		return c.Render("assessment/evidence_saved", fiber.Map{"P": p, "R": findRow(p, code), "CSRF": web.CSRF(c)})
	}
	return web.Render(c, "assessment/page", inst.Title+" · "+p.UnitName, fiber.Map{"P": p, "Htmx": true})
}

func (h *Handler) pageUpload(c *fiber.Ctx) error {
	a, _, err := h.Load(c, account.Answer)
	if err != nil {
		return err
	}
	u, code := web.CurrentUser(c), c.Params("indicator")
	err = h.eachUpload(c, func(up Upload) error {
		_, err := h.Service.AddFile(c.UserContext(), u, a.ID, code, up, h.UploadMax)
		return err
	})
	if err != nil && !web.DrainUpload(c) {
		// The rest of the body is past the request's limit: refuse it unread.
		return err
	}
	return h.evidenceDone(c, a, code, nil, err)
}

func (h *Handler) pageLink(c *fiber.Ctx) error {
	a, _, err := h.Load(c, account.Answer)
	if err != nil {
		return err
	}
	code := c.Params("indicator")
	_, err = h.Service.AddLink(c.UserContext(), web.CurrentUser(c), a.ID, code, c.FormValue("url"), c.FormValue("nama"))
	return h.evidenceDone(c, a, code, &Typed{URL: c.FormValue("url")}, err)
}

func (h *Handler) pageRemove(c *fiber.Ctx) error {
	a, _, err := h.Load(c, account.Answer)
	if err != nil {
		return err
	}
	code := c.Params("indicator")
	err = h.Service.RemoveEvidence(c.UserContext(), web.CurrentUser(c), a.ID, code, c.Params("sha"))
	return h.evidenceDone(c, a, code, nil, err)
}
