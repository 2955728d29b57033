package admin

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/gofiber/fiber/v2"

	"github.com/rapor-rb/raporrb/app/account"
	"github.com/rapor-rb/raporrb/app/apperr"
	"github.com/rapor-rb/raporrb/app/audit"
	"github.com/rapor-rb/raporrb/app/jobs"
	"github.com/rapor-rb/raporrb/app/tabular"
	"github.com/rapor-rb/raporrb/app/unit"
	"github.com/rapor-rb/raporrb/app/web"
)

// Bounds of a user import.
const (
	userImportMaxBytes = 1 << 20
	userImportMaxRows  = 2000
)

// userColumns are the columns of a user import (header row; any order, case-insensitive).
var userColumns = map[string][]string{
	"username": {"username", "nama pengguna", "nama_pengguna"},
	"name":     {"name", "nama", "nama lengkap"},
	"role":     {"role", "peran"},
	"unit":     {"unit", "unit kerja", "kode unit"},
	"nip":      {"nip"},
}

// UserLine is one row of a user import's preview.
type UserLine struct {
	Line     int          `json:"line" bson:"line"`
	Username string       `json:"username" bson:"username"`
	Name     string       `json:"name" bson:"name"`
	NIP      string       `json:"nip,omitempty" bson:"nip"`
	Role     account.Role `json:"role" bson:"role"`
	Unit     string       `json:"unit,omitempty" bson:"unit"`
	Valid    bool         `json:"valid" bson:"valid"`
	Reason   string       `json:"reason,omitempty" bson:"reason"`
}

// UserPreview is what a user import would do; the import is all or nothing.
type UserPreview struct {
	Lines   []UserLine `json:"lines" bson:"lines"`
	New     int        `json:"new" bson:"new"`
	Invalid int        `json:"invalid" bson:"invalid"`
}

// roleOf reads a role given as its code or its label ("Camat", "Staf Kecamatan").
func roleOf(s string) account.Role {
	for _, r := range account.Roles {
		if strings.EqualFold(s, string(r)) || strings.EqualFold(s, r.Label()) {
			return r
		}
	}
	return account.Role(strings.ToLower(s))
}

// unitOf reads a unit given as its code or its exact name.
func unitOf(units map[string]unit.Unit, s string) string {
	if _, ok := units[strings.ToLower(s)]; ok || s == "" {
		return strings.ToLower(s)
	}
	for code, u := range units {
		if strings.EqualFold(u.Name, s) {
			return code
		}
	}
	return s
}

// previewUsers reads an uploaded table of users and checks each row as a single creation
// would be checked, plus duplicates within the file.
func (h *Handler) previewUsers(ctx context.Context, data []byte) (*UserPreview, error) {
	book, err := tabular.Read(data, userImportMaxRows)
	if err != nil {
		return nil, err
	}
	rows := book.First()
	if len(rows) == 0 {
		return nil, apperr.New(apperr.Invalid, "Berkas kosong.")
	}
	cols := tabular.Columns(rows[0], userColumns)
	for _, k := range []string{"username", "name", "role"} {
		if cols[k] < 0 {
			return nil, apperr.New(apperr.Invalid, "Baris pertama harus baris judul dengan kolom username, nama, peran, unit (dan nip bila ada); kolom %q tidak ada.", userColumns[k][0])
		}
	}
	units, err := h.unitMap(ctx)
	if err != nil {
		return nil, err
	}
	existing, err := h.Users.List(ctx)
	if err != nil {
		return nil, err
	}
	p := &UserPreview{}
	seen := map[string]int{}
	for i, r := range rows[1:] {
		if slices.IndexFunc(r, func(s string) bool { return s != "" }) < 0 {
			continue // an empty row
		}
		l := UserLine{Line: i + 2, Username: strings.ToLower(tabular.Cell(r, cols["username"])), Name: tabular.Cell(r, cols["name"]),
			NIP: tabular.Cell(r, cols["nip"]), Role: roleOf(tabular.Cell(r, cols["role"])), Unit: unitOf(units, tabular.Cell(r, cols["unit"]))}
		u := account.User{Username: l.Username, Name: l.Name, NIP: l.NIP, Role: l.Role, Unit: l.Unit}
		err := u.Check()
		if err == nil {
			err = checkUnit(units, u.Role, u.Unit)
		}
		switch {
		case err != nil:
			l.Reason = apperr.Message(err)
		case seen[l.Username] > 0:
			l.Reason = fmt.Sprintf("Nama pengguna %q sudah ada di baris %d.", l.Username, seen[l.Username])
		case slices.ContainsFunc(existing, func(x account.User) bool { return x.Username == l.Username }):
			l.Reason = fmt.Sprintf("Nama pengguna %q sudah dipakai.", l.Username)
		default:
			l.Valid = true
		}
		if l.Username != "" && seen[l.Username] == 0 {
			seen[l.Username] = l.Line
		}
		if l.Valid {
			p.New++
		} else {
			p.Invalid++
		}
		p.Lines = append(p.Lines, l)
	}
	if len(p.Lines) == 0 {
		return nil, apperr.New(apperr.Invalid, "Berkas tidak berisi pengguna (hanya baris judul).")
	}
	return p, nil
}

// importUsers creates every user of a valid preview at once, with one-time passwords, and
// returns username → password. hashed reports progress.
func (h *Handler) importUsers(ctx context.Context, by *account.User, p *UserPreview, file string, hashed func(i, n int)) (map[string]string, error) {
	if p.Invalid > 0 {
		return nil, apperr.WithDetail(apperr.Invalid, p, "%d baris tidak valid; tidak ada pengguna yang dibuat. Perbaiki berkasnya lalu unggah lagi.", p.Invalid)
	}
	us := make([]account.NewUser, len(p.Lines))
	out := make(map[string]string, len(p.Lines))
	for i, l := range p.Lines {
		pw, err := account.NewPassword()
		if err != nil {
			return nil, err
		}
		us[i] = account.NewUser{User: account.User{Username: l.Username, Name: l.Name, NIP: l.NIP, Role: l.Role, Unit: l.Unit}, Password: pw}
		out[l.Username] = pw
	}
	names := make([]string, len(us))
	for i, u := range us {
		names[i] = u.User.Username
	}
	e := h.event(by, audit.Import, "pengguna", "", fmt.Sprintf("Impor %d pengguna dari %q: %s", len(us), file, strings.Join(names, ", ")))
	err := h.Users.CreateMany(ctx, us, func(i int) {
		if hashed != nil {
			hashed(i+1, len(us))
		}
	}, h.record(e))
	if err != nil {
		return nil, err
	}
	return out, nil
}

func (h *Handler) apiImportUsers(c *fiber.Ctx) error {
	by, err := manage(c)
	if err != nil {
		return err
	}
	up, err := web.ReadUpload(c, userImportMaxBytes)
	if err != nil {
		return err
	}
	p, err := h.previewUsers(c.UserContext(), up.Data)
	if err != nil {
		return err
	}
	if dry := c.Query("dry_run"); dry == "true" || dry == "1" {
		return c.JSON(fiber.Map{"dry_run": true, "preview": p})
	}
	pws, err := h.importUsers(c.UserContext(), by, p, up.Name, nil)
	if err != nil {
		return err
	}
	type created struct {
		Username string `json:"username"`
		Password string `json:"password"`
	}
	out := make([]created, 0, len(pws))
	for _, l := range p.Lines {
		out = append(out, created{l.Username, pws[l.Username]})
	}
	c.Set(fiber.HeaderCacheControl, "no-store")
	return c.Status(fiber.StatusCreated).JSON(fiber.Map{"dry_run": false, "preview": p, "created": out})
}

const usersStageKind = "impor-pengguna"

// stagedUsers waits between a preview and its confirmation.
type stagedUsers struct {
	Name string `bson:"name"`
	Data []byte `bson:"data"`
}

func (h *Handler) previewUsersForm(c *fiber.Ctx) error {
	by, err := manage(c)
	if err != nil {
		return err
	}
	render := func(data fiber.Map) error { return web.Render(c, "admin/imports", "Impor data", data) }
	up, err := web.ReadUpload(c, userImportMaxBytes)
	var p *UserPreview
	if err == nil {
		p, err = h.previewUsers(c.UserContext(), up.Data)
	}
	if err != nil {
		return formError(c, err, func(msg string) error { return render(fiber.Map{"Galat": msg}) })
	}
	data := fiber.Map{"P": p, "FileName": up.Name}
	if p.Invalid == 0 {
		token, err := h.Jobs.Stage(c.UserContext(), usersStageKind, by.Username, "pengguna", stagedUsers{Name: up.Name, Data: up.Data})
		if err != nil {
			return err
		}
		data["Token"] = token
	}
	return render(data)
}

// applyUsersForm creates the previewed users as a job; its page shows the one-time passwords once.
func (h *Handler) applyUsersForm(c *fiber.Ctx) error {
	by, err := manage(c)
	if err != nil {
		return err
	}
	token := c.FormValue("token")
	var st stagedUsers
	if err := h.Jobs.Staged(c.UserContext(), token, usersStageKind, by.Username, "pengguna", &st); err != nil {
		return err
	}
	if err := h.Jobs.Unstage(c.UserContext(), token); err != nil {
		return err
	}
	j, err := h.Jobs.Start(c.UserContext(), jobs.Job{Kind: usersStageKind, Owner: by.Username, Title: "Impor pengguna dari " + st.Name, Link: "/admin/impor"},
		func(ctx context.Context, pr *jobs.Progress) (jobs.Outcome, error) {
			// Checked again: a user may have been created since the preview.
			p, err := h.previewUsers(ctx, st.Data)
			if err != nil {
				return jobs.Outcome{}, err
			}
			pws, err := h.importUsers(ctx, by, p, st.Name, func(i, n int) { pr.Set(ctx, i, n+1, fmt.Sprintf("Menyiapkan akun %d dari %d", i, n)) })
			if err != nil {
				return jobs.Outcome{}, err
			}
			return jobs.Outcome{Result: fmt.Sprintf("%d pengguna dibuat.", len(pws)), Link: "/admin/pengguna", Secret: pws}, nil
		})
	if err != nil {
		return err
	}
	return c.Redirect("/tugas/"+j.ID, fiber.StatusSeeOther)
}
