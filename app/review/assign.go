package review

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/rapor-rb/raporrb/app/account"
	"github.com/rapor-rb/raporrb/app/apperr"
	"github.com/rapor-rb/raporrb/app/audit"
	"github.com/rapor-rb/raporrb/app/instrument"
	"github.com/rapor-rb/raporrb/app/period"
	"github.com/rapor-rb/raporrb/app/unit"
	"github.com/rapor-rb/raporrb/app/web"
)

// AssignmentStore keeps evaluator assignments (account.Assignments).
type AssignmentStore interface {
	List(ctx context.Context, year int, instrument string) ([]account.Assignment, error)
	Replace(ctx context.Context, a account.Assignment, check func(others []account.Assignment) error, record func(ctx context.Context) error) error
}

// UserList lists users.
type UserList interface {
	List(ctx context.Context) ([]account.User, error)
}

// UnitList lists units.
type UnitList interface {
	List(ctx context.Context) ([]unit.Unit, error)
}

// PeriodFinder finds periods.
type PeriodFinder interface {
	period.Finder
	// Newest is the newest period, opened or not: the admin assigns a year ahead of it.
	Newest(ctx context.Context) (*period.Period, error)
}

// Assigner changes which evaluators review which kecamatan, per instrument and year: an
// admin's work, audited.
type Assigner struct {
	Store   AssignmentStore
	Users   UserList
	Units   UnitList
	Periods PeriodFinder
	Catalog *instrument.Catalog
	Audit   *audit.Log
	Now     func() time.Time
}

// AssignInput is one evaluator's assignment for a year and instrument.
type AssignInput struct {
	Year       int
	Instrument string
	Evaluator  string
	Units      []string
	Lead       bool
}

// Assign stores in after checking it: an instrument of that year's period, an evaluator
// account, kecamatan that exist, and at most one lead (ketua tim) per kecamatan. Errors:
// Invalid naming the field, NotFound for the year, Conflict for a second lead.
func (s *Assigner) Assign(ctx context.Context, by *account.User, in AssignInput) (account.Assignment, error) {
	if err := account.Decide(by, account.Manage, account.Object{}); err != nil {
		return account.Assignment{}, err
	}
	p, err := s.Periods.ByYear(ctx, in.Year)
	if err != nil {
		return account.Assignment{}, err
	}
	if _, ok := p.Window(in.Instrument); !ok {
		return account.Assignment{}, apperr.InField("instrument", "Instrumen %q tidak dijadwalkan pada periode %d.", in.Instrument, in.Year)
	}
	users, err := s.Users.List(ctx)
	if err != nil {
		return account.Assignment{}, err
	}
	i := slices.IndexFunc(users, func(u account.User) bool { return u.Username == in.Evaluator })
	if i < 0 || users[i].Role != account.Evaluator {
		return account.Assignment{}, apperr.InField("evaluator", "%q bukan akun evaluator.", in.Evaluator)
	}
	units, err := s.Units.List(ctx)
	if err != nil {
		return account.Assignment{}, err
	}
	kinds := map[string]unit.Kind{}
	for _, u := range units {
		kinds[u.Code] = u.Kind
	}
	seen := map[string]bool{}
	var clean []string
	for _, code := range in.Units {
		if k, ok := kinds[code]; !ok || k == unit.Kabupaten {
			return account.Assignment{}, apperr.InField("units", "Unit %q tidak ada atau bukan unit yang dinilai.", code)
		}
		if !seen[code] {
			seen[code] = true
			clean = append(clean, code)
		}
	}
	slices.Sort(clean)
	a := account.Assignment{Year: in.Year, Instrument: in.Instrument, Evaluator: in.Evaluator, Units: clean, Lead: in.Lead}
	unitNames := map[string]string{}
	for _, u := range units {
		unitNames[u.Code] = u.Name
	}
	userNames := map[string]string{}
	for _, u := range users {
		userNames[u.Username] = u.Name
	}
	err = s.Store.Replace(ctx, a, func(others []account.Assignment) error {
		if !a.Lead {
			return nil
		}
		var clash []string
		var leads []string
		for _, o := range others {
			if !o.Lead {
				continue
			}
			for _, u := range o.Units {
				if seen[u] {
					clash = append(clash, unitNames[u])
					if !slices.Contains(leads, userNames[o.Evaluator]) {
						leads = append(leads, userNames[o.Evaluator])
					}
				}
			}
		}
		if len(clash) > 0 {
			return apperr.New(apperr.Conflict, "%d kecamatan sudah memiliki ketua tim (%s) untuk instrumen ini: %s. Hapus centang kecamatan itu, atau lepaskan dulu penugasan ketua tim yang lain.",
				len(clash), strings.Join(leads, ", "), strings.Join(clash, ", "))
		}
		return nil
	}, func(ctx context.Context) error {
		role := "anggota"
		if a.Lead {
			role = "ketua tim"
		}
		return s.Audit.Append(ctx, audit.Event{At: s.Now(), Actor: by.Username, Action: audit.AssignmentPut,
			Target: account.AssignmentID(a.Year, a.Instrument, a.Evaluator),
			Detail: fmt.Sprintf("%s sebagai %s untuk %d kecamatan: %s", a.Evaluator, role, len(a.Units), strings.Join(a.Units, ", "))})
	})
	return a, err
}

// Routes registers the assignments API and the admin page.
func (s *Assigner) Routes(r web.Router) {
	r.Get("/api/v1/assignments", account.Leaders, s.list)
	r.Put("/api/v1/assignments/:year/:instrument/:evaluator", account.AdminsOnly, s.put)
	r.Get("/admin/penugasan", account.AdminsOnly, s.page)
	r.Post("/admin/penugasan", account.AdminsOnly, s.pageSave)
}

func (s *Assigner) list(c *fiber.Ctx) error {
	year := 0
	if q := c.Query("period"); q != "" {
		y, err := period.ParseYear(q)
		if err != nil {
			return err
		}
		year = y
	}
	if q := c.Query("instrument"); q != "" {
		if _, ok := s.Catalog.Get(q); !ok {
			return apperr.New(apperr.NotFound, "Instrumen %q tidak dikenal.", q)
		}
	}
	as, err := s.Store.List(c.UserContext(), year, c.Query("instrument"))
	if err != nil {
		return err
	}
	return c.JSON(fiber.Map{"assignments": as})
}

func (s *Assigner) put(c *fiber.Ctx) error {
	year, err := period.ParseYear(c.Params("year"))
	if err != nil {
		return err
	}
	var req struct {
		Units *[]string `json:"units"`
		Lead  bool      `json:"lead"`
	}
	if err := json.Unmarshal(c.Body(), &req); err != nil {
		return apperr.New(apperr.Invalid, "Badan permintaan harus JSON {\"units\": [...], \"lead\": true|false}.")
	}
	if req.Units == nil {
		return apperr.InField("units", "Daftar kecamatan (units) wajib diisi; kosong untuk melepas penugasan.")
	}
	a, err := s.Assign(c.UserContext(), web.CurrentUser(c), AssignInput{Year: year, Instrument: c.Params("instrument"), Evaluator: c.Params("evaluator"), Units: *req.Units, Lead: req.Lead})
	if err != nil {
		return err
	}
	if a.Units == nil {
		a.Units = []string{}
	}
	return c.JSON(fiber.Map{"assignment": a})
}

// AssignPage is the admin's view of one year and instrument: every evaluator with their units.
type AssignPage struct {
	Year       int
	Years      []int
	Instrument string
	Insts      []*instrument.Instrument
	Units      []unit.Unit
	Rows       []AssignRow
	Notice     string
	Error      string
	ErrorFor   string
}

// AssignRow is one evaluator's form.
type AssignRow struct {
	Evaluator account.User
	Units     map[string]bool
	Lead      bool
}

func (s *Assigner) build(ctx context.Context, year int, inst string) (*AssignPage, error) {
	p := &AssignPage{Year: year, Instrument: inst, Insts: s.Catalog.List()}
	ps, err := s.Periods.Newest(ctx)
	if err != nil {
		return nil, err
	}
	for y := ps.Year; y >= ps.Year-4 && y >= 2000; y-- {
		p.Years = append(p.Years, y)
	}
	units, err := s.Units.List(ctx)
	if err != nil {
		return nil, err
	}
	for _, u := range units {
		if u.Kind != unit.Kabupaten {
			p.Units = append(p.Units, u)
		}
	}
	users, err := s.Users.List(ctx)
	if err != nil {
		return nil, err
	}
	as, err := s.Store.List(ctx, year, inst)
	if err != nil {
		return nil, err
	}
	for _, u := range users {
		if u.Role != account.Evaluator || u.Disabled {
			continue
		}
		row := AssignRow{Evaluator: u, Units: map[string]bool{}}
		for _, a := range as {
			if a.Evaluator == u.Username {
				row.Lead = a.Lead
				for _, code := range a.Units {
					row.Units[code] = true
				}
			}
		}
		p.Rows = append(p.Rows, row)
	}
	return p, nil
}

func (s *Assigner) selection(c *fiber.Ctx, yearS, inst string) (int, string, error) {
	ctx := c.UserContext()
	cur, err := s.Periods.Current(ctx)
	if err != nil {
		return 0, "", err
	}
	year := cur.Year
	if yearS != "" {
		if year, err = period.ParseYear(yearS); err != nil {
			return 0, "", err
		}
	}
	if inst == "" {
		inst = s.Catalog.List()[0].ID
	}
	if _, ok := s.Catalog.Get(inst); !ok {
		return 0, "", apperr.New(apperr.NotFound, "Instrumen %q tidak dikenal.", inst)
	}
	return year, inst, nil
}

func (s *Assigner) page(c *fiber.Ctx) error {
	year, inst, err := s.selection(c, c.Query("tahun"), c.Query("instrumen"))
	if err != nil {
		return err
	}
	p, err := s.build(c.UserContext(), year, inst)
	if err != nil {
		return err
	}
	if c.Query("tersimpan") != "" {
		p.Notice = "Penugasan " + c.Query("tersimpan") + " tersimpan."
	}
	return web.Render(c, "review/assignments", "Penugasan evaluator", fiber.Map{"P": p})
}

func (s *Assigner) pageSave(c *fiber.Ctx) error {
	year, inst, err := s.selection(c, c.FormValue("tahun"), c.FormValue("instrumen"))
	if err != nil {
		return err
	}
	in := AssignInput{Year: year, Instrument: inst, Evaluator: c.FormValue("evaluator"), Lead: c.FormValue("ketua") == "ya"}
	c.Request().PostArgs().VisitAll(func(k, v []byte) {
		if string(k) == "unit" {
			in.Units = append(in.Units, string(v))
		}
	})
	if _, err := s.Assign(c.UserContext(), web.CurrentUser(c), in); err != nil {
		if !apperr.Is(err, apperr.Invalid) && !apperr.Is(err, apperr.Conflict) && !apperr.Is(err, apperr.NotFound) {
			return err
		}
		p, berr := s.build(c.UserContext(), year, inst)
		if berr != nil {
			return berr
		}
		// What the admin ticked stays ticked.
		for i := range p.Rows {
			if p.Rows[i].Evaluator.Username == in.Evaluator {
				p.Rows[i].Lead, p.Rows[i].Units = in.Lead, map[string]bool{}
				for _, u := range in.Units {
					p.Rows[i].Units[u] = true
				}
			}
		}
		p.Error, p.ErrorFor = apperr.Message(err), in.Evaluator
		c.Status(web.Status(err))
		return web.Render(c, "review/assignments", "Penugasan evaluator", fiber.Map{"P": p})
	}
	return c.Redirect(fmt.Sprintf("/admin/penugasan?tahun=%d&instrumen=%s&tersimpan=%s#ev-%s", year, inst, in.Evaluator, in.Evaluator), fiber.StatusSeeOther)
}
