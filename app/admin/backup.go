package admin

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/rapor-rb/raporrb/app/account"
	"github.com/rapor-rb/raporrb/app/apperr"
	"github.com/rapor-rb/raporrb/app/audit"
	"github.com/rapor-rb/raporrb/app/backup"
	"github.com/rapor-rb/raporrb/app/jobs"
	"github.com/rapor-rb/raporrb/app/web"
)

// keepBackups is how many archives the backup page keeps in BackupDir.
const keepBackups = 3

var backupName = regexp.MustCompile(`^raporrb-\d{8}-\d{6}\.tar\.gz$`)

func (h *Handler) backupRoutes(r web.Router) {
	r.Get("/admin/cadangan", account.AdminsOnly, h.backupPage)
	r.Post("/admin/cadangan", account.AdminsOnly, h.startBackup)
	r.Get("/admin/cadangan/unduh/:name", account.AdminsOnly, h.downloadBackup)
}

// canBackup reports whether this engine allows a backup from the page: the embedded engine,
// whose write lock gives one consistent moment. On MongoDB, mongodump does it.
func (h *Handler) canBackup() bool { return h.DB.Embedded && h.EvidenceDir != "" && h.BackupDir != "" }

// archive is a backup on the page's list.
type archive struct {
	Name string
	Size int64
	At   time.Time
}

func (h *Handler) archives() ([]archive, error) {
	entries, err := os.ReadDir(h.BackupDir)
	if os.IsNotExist(err) {
		return nil, nil
	} else if err != nil {
		return nil, err
	}
	var out []archive
	for _, e := range entries {
		if !backupName.MatchString(e.Name()) {
			continue
		}
		info, err := e.Info()
		if err != nil {
			return nil, err
		}
		out = append(out, archive{Name: e.Name(), Size: info.Size(), At: info.ModTime()})
	}
	slices.SortFunc(out, func(a, b archive) int { return b.At.Compare(a.At) })
	return out, nil
}

func (h *Handler) backupPage(c *fiber.Ctx) error {
	if _, err := manage(c); err != nil {
		return err
	}
	data := fiber.Map{"Can": h.canBackup()}
	if h.canBackup() {
		as, err := h.archives()
		if err != nil {
			return err
		}
		data["Archives"] = as
	}
	return web.Render(c, "admin/backup", "Cadangan data", data)
}

// startBackup writes an archive in the background (under the engine's write lock, so saves
// wait while it runs) and keeps the newest three.
func (h *Handler) startBackup(c *fiber.Ctx) error {
	by, err := manage(c)
	if err != nil {
		return err
	}
	if !h.canBackup() {
		return apperr.New(apperr.Invalid, "Cadangan dari halaman ini hanya untuk basis data tertanam; pada MongoDB gunakan mongodump (lihat README).")
	}
	j, err := h.Jobs.Start(c.UserContext(), jobs.Job{Kind: "cadangan", Owner: by.Username, Title: "Membuat cadangan data", Link: "/admin/cadangan"},
		func(ctx context.Context, p *jobs.Progress) (jobs.Outcome, error) {
			name, m, err := h.writeArchive(ctx, p)
			if err != nil {
				return jobs.Outcome{}, err
			}
			if err := h.Audit.Record(ctx, h.event(by, audit.Backup, name, "", fmt.Sprintf("%d koleksi, %d berkas bukti", len(m.Collections), m.Evidence))); err != nil {
				return jobs.Outcome{}, err
			}
			return jobs.Outcome{Result: fmt.Sprintf("Cadangan %s siap: %d koleksi, %d berkas bukti.", name, len(m.Collections), m.Evidence),
				Link: "/admin/cadangan/unduh/" + name}, nil
		})
	if err != nil {
		return err
	}
	return c.Redirect("/tugas/"+j.ID, fiber.StatusSeeOther)
}

func (h *Handler) writeArchive(ctx context.Context, p *jobs.Progress) (string, *backup.Manifest, error) {
	if err := os.MkdirAll(h.BackupDir, 0o700); err != nil {
		return "", nil, err
	}
	name := "raporrb-" + h.Now().In(h.zone(ctx)).Format("20060102-150405") + ".tar.gz"
	f, err := os.CreateTemp(h.BackupDir, ".backup-*")
	if err != nil {
		return "", nil, err
	}
	defer os.Remove(f.Name())
	// The write lock is held while the archive is written: progress is noted in memory only.
	m, err := backup.Write(ctx, h.DB, h.EvidenceDir, f, func(i, n int, what string) { p.Note(i, n, "Menyalin "+what) })
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return "", nil, err
	}
	if err := os.Rename(f.Name(), filepath.Join(h.BackupDir, name)); err != nil {
		return "", nil, err
	}
	p.Set(ctx, 1, 1, "Cadangan tertulis")
	as, err := h.archives()
	if err != nil {
		return "", nil, err
	}
	for _, a := range as[min(len(as), keepBackups):] {
		_ = os.Remove(filepath.Join(h.BackupDir, a.Name))
	}
	return name, m, nil
}

func (h *Handler) downloadBackup(c *fiber.Ctx) error {
	if _, err := manage(c); err != nil {
		return err
	}
	name := c.Params("name")
	if !h.canBackup() || !backupName.MatchString(name) {
		return apperr.New(apperr.NotFound, "Cadangan tidak ditemukan.")
	}
	path := filepath.Join(h.BackupDir, name)
	if _, err := os.Stat(path); err != nil {
		return apperr.New(apperr.NotFound, "Cadangan tidak ditemukan.")
	}
	c.Set(fiber.HeaderContentType, "application/gzip")
	c.Set(fiber.HeaderContentDisposition, `attachment; filename="`+name+`"`)
	c.Set(fiber.HeaderCacheControl, "no-store")
	return c.SendFile(path)
}
