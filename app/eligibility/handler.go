package eligibility

import (
	"bytes"
	"context"
	"encoding/json"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/rapor-rb/raporrb/app/account"
	"github.com/rapor-rb/raporrb/app/apperr"
	"github.com/rapor-rb/raporrb/app/instrument"
	"github.com/rapor-rb/raporrb/app/num"
	"github.com/rapor-rb/raporrb/app/period"
	"github.com/rapor-rb/raporrb/app/unit"
	"github.com/rapor-rb/raporrb/app/web"
)

// Units lists the unit tree.
type Units interface {
	List(ctx context.Context) ([]unit.Unit, error)
}

// Handler serves the admin's yearly entry of the facts: a page and the JSON API.
type Handler struct {
	Store   *Store
	Catalog *instrument.Catalog
	Units   Units
	Periods period.Finder
	Now     func() time.Time
}

// Routes registers the page (admin) and the API (read by leaders, written by the admin).
func (h *Handler) Routes(r web.Router) {
	r.Get("/admin/syarat-pengusulan", account.AdminsOnly, h.form)
	r.Post("/admin/syarat-pengusulan", account.AdminsOnly, h.saveForm)
	r.Get("/api/v1/eligibility/:year/:instrument/:kabupaten", account.Leaders, h.get)
	r.Put("/api/v1/eligibility/:year/:instrument/:kabupaten", account.AdminsOnly, h.put)
}

// scope is one kabupaten, instrument and year, resolved from a request.
type scope struct {
	year     int
	inst     *instrument.Instrument
	kab      unit.Unit
	children []unit.Unit // the kabupaten's units, name order
	kabs     []unit.Unit // every kabupaten, for the page's choice
}

// resolve finds the instrument (one with an eligibility checklist; "" picks the first), the
// kabupaten ("" picks the first) and its units. Unknown ones are 404.
func (h *Handler) resolve(ctx context.Context, year int, instID, kabCode string) (*scope, error) {
	s := &scope{year: year}
	for _, in := range h.Catalog.List() {
		if in.Eligibility != nil && (instID == "" || in.ID == instID) {
			s.inst = in
			break
		}
	}
	if s.inst == nil {
		return nil, apperr.New(apperr.NotFound, "Instrumen %q tidak memiliki syarat pengusulan.", instID)
	}
	units, err := h.Units.List(ctx)
	if err != nil {
		return nil, err
	}
	for _, u := range units {
		if u.Kind == unit.Kabupaten {
			s.kabs = append(s.kabs, u)
		}
	}
	i := slices.IndexFunc(s.kabs, func(u unit.Unit) bool { return kabCode == "" || u.Code == kabCode })
	if i < 0 {
		return nil, apperr.New(apperr.NotFound, "Kabupaten %q tidak dikenal.", kabCode)
	}
	s.kab = s.kabs[i]
	for _, u := range units {
		if u.Parent == s.kab.Code {
			s.children = append(s.children, u)
		}
	}
	slices.SortFunc(s.children, func(a, b unit.Unit) int { return strings.Compare(a.Name, b.Name) })
	return s, nil
}

// request is the body of PUT /api/v1/eligibility/…: kabupaten-level values, each unit's values,
// and the rev the client read.
type request struct {
	Values map[string]any `json:"values"`
	Units  []struct {
		Unit   string         `json:"unit"`
		Values map[string]any `json:"values"`
	} `json:"units"`
	Rev *int64 `json:"rev"`
}

// build validates a request into Facts for the scope. Errors are apperr.Invalid.
func (s *scope) build(req request) (Facts, error) {
	e := s.inst.Eligibility
	f := Facts{Year: s.year, Instrument: s.inst.ID, Kabupaten: s.kab.Code, Units: []UnitFacts{}}
	var err error
	if f.Values, err = ParseValues(e, instrument.LevelKabupaten, req.Values); err != nil {
		return Facts{}, err
	}
	seen := map[string]bool{}
	for _, u := range req.Units {
		if !slices.ContainsFunc(s.children, func(c unit.Unit) bool { return c.Code == u.Unit }) {
			return Facts{}, apperr.New(apperr.Invalid, "Unit %q bukan bagian dari %s.", u.Unit, s.kab.Name)
		}
		if seen[u.Unit] {
			return Facts{}, apperr.New(apperr.Invalid, "Unit %q diisi lebih dari sekali.", u.Unit)
		}
		seen[u.Unit] = true
		vs, err := ParseValues(e, instrument.LevelUnit, u.Values)
		if err != nil {
			return Facts{}, apperr.New(apperr.Invalid, "%s: %s", u.Unit, apperr.Message(err))
		}
		if len(vs) > 0 {
			f.Units = append(f.Units, UnitFacts{Unit: u.Unit, Values: vs})
		}
	}
	return f, nil
}

func (h *Handler) apiScope(c *fiber.Ctx) (*scope, error) {
	y, err := period.ParseYear(c.Params("year"))
	if err != nil {
		return nil, err
	}
	return h.resolve(c.UserContext(), y, c.Params("instrument"), c.Params("kabupaten"))
}

func (h *Handler) get(c *fiber.Ctx) error {
	if err := account.Decide(web.CurrentUser(c), account.Rankings, account.Object{}); err != nil {
		return err
	}
	s, err := h.apiScope(c)
	if err != nil {
		return err
	}
	f, err := h.Store.Get(c.UserContext(), s.year, s.inst.ID, s.kab.Code)
	if err != nil {
		return err
	}
	return c.JSON(response(s, f))
}

// response is the JSON of a kabupaten's facts with the checklist's definition.
func response(s *scope, f *Facts) fiber.Map {
	e := s.inst.Eligibility
	return fiber.Map{"period": s.year, "instrument": s.inst.ID, "kabupaten": s.kab.Code, "source": e.Source,
		"confirmed": e.Confirmed, "facts": e.Facts, "conditions": e.Conditions, "values": f.Values, "units": f.Units,
		"rev": f.Rev, "updated_by": f.UpdatedBy, "updated_at": f.UpdatedAt}
}

func (h *Handler) put(c *fiber.Ctx) error {
	u := web.CurrentUser(c)
	if err := account.Decide(u, account.Manage, account.Object{}); err != nil {
		return err
	}
	s, err := h.apiScope(c)
	if err != nil {
		return err
	}
	var req request
	dec := json.NewDecoder(bytes.NewReader(c.Body()))
	dec.UseNumber()
	dec.DisallowUnknownFields()
	if err := dec.Decode(&req); err != nil {
		return apperr.New(apperr.Invalid, "Isi permintaan harus JSON {values, units, rev}.")
	}
	if req.Rev == nil {
		return apperr.New(apperr.Invalid, "rev wajib diisi (0 bila belum pernah disimpan).")
	}
	f, err := s.build(req)
	if err != nil {
		return err
	}
	saved, err := h.Store.Save(c.UserContext(), f, *req.Rev, u.Username, h.Now())
	if err != nil {
		return err
	}
	return c.JSON(response(s, saved))
}

// field names of the page's form: k.<fact> for the kabupaten, u.<unit>.<fact> for a unit.
func kabField(fact string) string        { return "k." + fact }
func unitField(unit, fact string) string { return "u." + unit + "." + fact }

// Row is one unit on the page with its entered values as typed.
type Row struct {
	Unit   unit.Unit
	Values map[string]string
}

func (h *Handler) form(c *fiber.Ctx) error {
	p, err := period.Resolve(c.UserContext(), h.Periods, c.Query("tahun"))
	if err != nil {
		return err
	}
	s, err := h.resolve(c.UserContext(), p.Year, c.Query("instrumen"), c.Query("kabupaten"))
	if err != nil {
		return err
	}
	f, err := h.Store.Get(c.UserContext(), s.year, s.inst.ID, s.kab.Code)
	if err != nil {
		return err
	}
	return h.render(c, s, f, typedFrom(s, f), "", fiber.StatusOK)
}

// typedFrom turns stored values into the page's text fields.
func typedFrom(s *scope, f *Facts) map[string]string {
	e := s.inst.Eligibility
	out := map[string]string{}
	for k, v := range f.Values {
		if fact, ok := e.Fact(k); ok {
			out[kabField(k)] = formText(fact, v)
		}
	}
	for _, u := range f.Units {
		for k, v := range u.Values {
			if fact, ok := e.Fact(k); ok {
				out[unitField(u.Unit, k)] = formText(fact, v)
			}
		}
	}
	return out
}

// formText is a value in a text field: the option, or the number with a decimal comma.
func formText(f instrument.Fact, v Value) string {
	if v.Number != nil {
		return num.ID(*v.Number)
	}
	return v.Option
}

func (h *Handler) render(c *fiber.Ctx, s *scope, f *Facts, typed map[string]string, msg string, status int) error {
	e := s.inst.Eligibility
	rows := make([]Row, len(s.children))
	for i, u := range s.children {
		rows[i] = Row{Unit: u, Values: map[string]string{}}
		for _, fact := range e.FactsAt(instrument.LevelUnit) {
			rows[i].Values[fact.Key] = typed[unitField(u.Code, fact.Key)]
		}
	}
	kab := map[string]string{}
	for _, fact := range e.FactsAt(instrument.LevelKabupaten) {
		kab[fact.Key] = typed[kabField(fact.Key)]
	}
	data := fiber.Map{"S": s.inst, "E": e, "Year": s.year, "Kab": s.kab, "Kabs": s.kabs, "KabValues": kab,
		"KabFacts": e.FactsAt(instrument.LevelKabupaten), "UnitFacts": e.FactsAt(instrument.LevelUnit),
		"Rows": rows, "F": f, "Saved": c.Query("tersimpan") != ""}
	if msg != "" {
		data["Error"] = msg
	}
	c.Status(status)
	return web.Render(c, "eligibility/form", "Syarat pengusulan "+s.inst.ShortName(), data)
}

func (h *Handler) saveForm(c *fiber.Ctx) error {
	u := web.CurrentUser(c)
	if err := account.Decide(u, account.Manage, account.Object{}); err != nil {
		return err
	}
	y, err := period.ParseYear(c.FormValue("tahun"))
	if err != nil {
		return err
	}
	s, err := h.resolve(c.UserContext(), y, c.FormValue("instrumen"), c.FormValue("kabupaten"))
	if err != nil {
		return err
	}
	cur, err := h.Store.Get(c.UserContext(), s.year, s.inst.ID, s.kab.Code)
	if err != nil {
		return err
	}
	e := s.inst.Eligibility
	typed := map[string]string{}
	req := request{Values: map[string]any{}}
	for _, fact := range e.FactsAt(instrument.LevelKabupaten) {
		v := c.FormValue(kabField(fact.Key))
		typed[kabField(fact.Key)], req.Values[fact.Key] = v, v
	}
	for _, child := range s.children {
		vs := map[string]any{}
		for _, fact := range e.FactsAt(instrument.LevelUnit) {
			v := c.FormValue(unitField(child.Code, fact.Key))
			typed[unitField(child.Code, fact.Key)], vs[fact.Key] = v, v
		}
		req.Units = append(req.Units, struct {
			Unit   string         `json:"unit"`
			Values map[string]any `json:"values"`
		}{child.Code, vs})
	}
	rev, err := strconv.ParseInt(c.FormValue("rev"), 10, 64)
	if err != nil {
		return apperr.New(apperr.Invalid, "Formulir tidak lengkap; muat ulang halaman.")
	}
	f, err := s.build(req)
	if err == nil {
		_, err = h.Store.Save(c.UserContext(), f, rev, u.Username, h.Now())
	}
	switch {
	case err == nil:
		return c.Redirect("/admin/syarat-pengusulan?tahun="+strconv.Itoa(s.year)+"&instrumen="+s.inst.ID+"&kabupaten="+s.kab.Code+"&tersimpan=1", fiber.StatusSeeOther)
	case apperr.Is(err, apperr.Invalid):
		return h.render(c, s, cur, typed, apperr.Message(err), fiber.StatusBadRequest)
	case apperr.Is(err, apperr.Conflict):
		latest, gerr := h.Store.Get(c.UserContext(), s.year, s.inst.ID, s.kab.Code)
		if gerr != nil {
			return gerr
		}
		return h.render(c, s, latest, typed, apperr.Message(err), fiber.StatusConflict)
	}
	return err
}
