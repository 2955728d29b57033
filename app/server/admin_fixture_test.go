package server

import (
	"bytes"
	"context"
	"io"
	"log/slog"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"os"
	"regexp"
	"sync"
	"testing"
	"time"

	"github.com/rapor-rb/raporrb/app/account"
	"github.com/rapor-rb/raporrb/app/audit"
	"github.com/rapor-rb/raporrb/app/dbtest"
	"github.com/rapor-rb/raporrb/app/instrument"
	"github.com/rapor-rb/raporrb/app/unit"
	"github.com/rapor-rb/raporrb/app/web"
	"github.com/rapor-rb/raporrb/seed/instruments"
)

// The administration tests each run on a small kabupaten of their own (a fresh database,
// their own instrument catalog and clock), since they change units, users, periods and
// instruments: Kabupaten Uji in WITA, kecamatan Alpha and Beta (active) and Gamma (inactive),
// and one account per role.

var wita = time.FixedZone("WITA", 8*3600)

// clock is a test clock that a test moves.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *clock) Set(t time.Time) {
	c.mu.Lock()
	c.t = t
	c.mu.Unlock()
}

type world struct {
	t     *testing.T
	st    Stores
	cat   *instrument.Catalog
	srv   *web.Server
	clock *clock
}

// worldUsers are the accounts of a world, all with demoPassword.
var worldUsers = []account.User{
	{Username: "admin", Name: "Admin Uji", Role: account.Admin},
	{Username: "bupati", Name: "Bupati Uji", Role: account.Pimpinan},
	{Username: "inspektur", Name: "Inspektur Uji", Role: account.Evaluator},
	{Username: "camat.alpha", Name: "Camat Alpha", Role: account.Camat, Unit: "alpha"},
	{Username: "staf.alpha", Name: "Staf Alpha", Role: account.Staf, Unit: "alpha"},
	{Username: "camat.beta", Name: "Camat Beta", Role: account.Camat, Unit: "beta"},
}

func newWorld(t *testing.T) *world {
	t.Helper()
	cat, err := instrument.LoadFS(instruments.FS)
	if err != nil {
		t.Fatal(err)
	}
	c := &clock{t: time.Date(2026, 11, 23, 10, 0, 0, 0, wita)}
	st := NewStores(dbtest.Fresh(t, engine), cat, c.Now)
	ctx := context.Background()
	if err := st.EnsureIndexes(ctx); err != nil {
		t.Fatal(err)
	}
	for _, u := range []unit.Unit{
		{Code: "kab-uji", Name: "Kabupaten Uji", Kind: unit.Kabupaten, Active: true, TimeZone: "Asia/Makassar"},
		{Code: "alpha", Name: "Alpha", Kind: unit.Kecamatan, Parent: "kab-uji", Active: true},
		{Code: "beta", Name: "Beta", Kind: unit.Kecamatan, Parent: "kab-uji", Active: true},
		{Code: "gamma", Name: "Gamma", Kind: unit.Kecamatan, Parent: "kab-uji", Active: false},
	} {
		if err := st.Units.Put(ctx, u); err != nil {
			t.Fatal(err)
		}
	}
	hash, err := account.HashPassword(demoPassword)
	if err != nil {
		t.Fatal(err)
	}
	for _, u := range worldUsers {
		u.PasswordHash = hash
		if err := st.Users.Put(ctx, u); err != nil {
			t.Fatal(err)
		}
	}
	w := &world{t: t, st: st, cat: cat, clock: c}
	w.srv = serverWith(t, web.Config{Now: c.Now}, st, cat)
	t.Cleanup(st.Jobs.Wait)
	return w
}

// serverWith builds the full app on st with its own catalog.
func serverWith(t testing.TB, cfg web.Config, st Stores, cat *instrument.Catalog) *web.Server {
	t.Helper()
	blobs, err := NewBlobs(context.Background(), st.DB, t.TempDir()+"/evidence")
	if err != nil {
		t.Fatal(err)
	}
	srv, err := New(cfg, st, blobs, cat, os.DirFS("../../public/vendor"), slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn})))
	if err != nil {
		t.Fatal(err)
	}
	return srv
}

func (w *world) api(username string) *client { return login(w.t, w.srv, username) }

// audit returns the day's audit events of one action, as "actor target unit: detail".
func (w *world) audit(action string) []string {
	w.t.Helper()
	es, err := w.st.Audit.List(context.Background(), auditFilter(w))
	if err != nil {
		w.t.Fatal(err)
	}
	var out []string
	for _, e := range es {
		if string(e.Action) == action {
			out = append(out, e.Actor+" "+e.Target+" "+e.Unit+": "+e.Detail)
		}
	}
	return out
}

func auditFilter(w *world) audit.Filter {
	return audit.Filter{Day: w.st.Audit.Day(context.Background(), w.clock.Now())}
}

var tokenRe = regexp.MustCompile(`name="token" value="([^"]+)"`)

// multipart posts one file as a browser form would (the CSRF token goes in path's query).
func (p *page) multipart(path, filename string, data []byte) (*http.Response, string) {
	p.t.Helper()
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	fw, err := mw.CreateFormFile("file", filename)
	if err != nil {
		p.t.Fatal(err)
	}
	_, _ = fw.Write(data)
	_ = mw.Close()
	req := httptest.NewRequest("POST", path, &buf)
	req.Header.Set("Content-Type", mw.FormDataContentType())
	req.Header.Set("Accept", "text/html")
	for _, c := range p.cookies {
		req.AddCookie(c)
	}
	resp, err := p.srv.App.Test(req, 60_000)
	if err != nil {
		p.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp, string(b)
}
