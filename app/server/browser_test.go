package server

import (
	"context"
	"fmt"
	"net"
	"os"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/rapor-rb/raporrb/app/account"
	"github.com/rapor-rb/raporrb/app/web"
)

var scoreRe = regexp.MustCompile(`\b\d{1,3},\d{2}\b`)

// chromePath finds Debian's chromium; `make test` installs it. The browser tests never skip
// silently: without a browser they fail and say how to get one.
func chromePath(t *testing.T) string {
	t.Helper()
	for _, p := range []string{os.Getenv("CHROME_PATH"), "/usr/bin/chromium", "/usr/bin/chromium-browser"} {
		if p == "" {
			continue
		}
		if _, err := os.Stat(p); err == nil {
			return p
		}
	}
	t.Fatal("chromium not found: run `make browser` (Debian package chromium) or set CHROME_PATH")
	return ""
}

// serve runs the full app on a loopback port for the browser.
func serve(t *testing.T, srv *web.Server) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go func() { _ = srv.App.Listener(ln) }()
	t.Cleanup(func() { _ = srv.App.Shutdown() })
	return "http://" + ln.Addr().String()
}

// browser starts headless chromium with the flags this sandbox needs (no sandbox as root,
// no background networking: the machine has no internet).
func browser(t *testing.T) context.Context {
	t.Helper()
	// Chromium may still write its profile while it exits; remove it without failing the test.
	profile, err := os.MkdirTemp("", "raporrb-chromium")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(profile) })
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(chromePath(t)),
		chromedp.NoSandbox,
		chromedp.Flag("disable-gpu", true),
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.UserDataDir(profile),
		chromedp.WindowSize(412, 915), // a phone-sized screen
	)
	actx, cancel := chromedp.NewExecAllocator(context.Background(), opts...)
	t.Cleanup(cancel)
	ctx, cancel2 := chromedp.NewContext(actx)
	t.Cleanup(cancel2)
	ctx, cancel3 := context.WithTimeout(ctx, 3*time.Minute)
	t.Cleanup(cancel3)
	if err := chromedp.Run(ctx); err != nil {
		t.Fatalf("starting chromium: %v", err)
	}
	return ctx
}

func loginActions(base, username, password string) chromedp.Tasks {
	return chromedp.Tasks{
		navigate(base + "/masuk"),
		waitVisible(`#username`),
		sendKeys(`#username`, username),
		sendKeys(`#password`, password),
		submit(`#password`),
	}
}

func logout() chromedp.Tasks {
	return chromedp.Tasks{click(`form[action="/keluar"] button`), waitVisible(`#username`)}
}

// The journey's first step for every role: log in, see one's own home with real data.
func TestBrowserEachRoleSeesTheirHome(t *testing.T) {
	base := serve(t, newServer(t, web.Config{}))
	ctx := browser(t)
	camat := demoAccount(t, account.Camat, "")
	staf := demoAccount(t, account.Staf, "")

	// A failing login shows the error message and stays on the login page.
	var msg string
	if err := chromedp.Run(ctx, loginActions(base, "bupati", "kata-sandi-salah"),
		waitVisible(`#login-error`),
		text(`#login-error`, &msg)); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(msg, "Nama pengguna atau kata sandi salah") {
		t.Errorf("login error = %q", msg)
	}

	for _, tc := range []struct {
		user     string
		table    string // rows of this selector must exist
		minRows  int
		contains string // the page must show this text
	}{
		{camat.Username, `#penilaian-sekarang tbody tr`, 5, "Zona Integritas"},
		{staf.Username, `#penilaian-sekarang tbody tr`, 5, "hari lagi"},
		{"inspektur", `#antrian tbody tr`, 10, "Antrian reviu"},
		{"bupati", `#tabel-zi-2021 tbody tr`, demoRes.Units - 1, "Dasbor reformasi birokrasi"},
		{"admin", `#users tbody tr`, len(demoRes.Accounts), "Pengguna"},
	} {
		t.Run(tc.user, func(t *testing.T) {
			var rows int
			var body string
			err := chromedp.Run(ctx, loginActions(base, tc.user, demoPassword),
				waitVisible(`main .page-head`),
				evaluate(fmt.Sprintf(`document.querySelectorAll(%q).length`, tc.table), &rows),
				text(`main`, &body),
			)
			if err != nil {
				t.Fatal(err)
			}
			if rows < tc.minRows {
				t.Errorf("%s: %d rows of %s, want ≥ %d", tc.user, rows, tc.table, tc.minRows)
			}
			if !strings.Contains(body, tc.contains) {
				t.Errorf("%s: page lacks %q", tc.user, tc.contains)
			}
			// Real scores, not placeholders: a two-decimal score with a comma.
			if tc.user != "admin" && !scoreRe.MatchString(body) {
				t.Errorf("%s: no score on the page", tc.user)
			}
			if err := chromedp.Run(ctx, logout()); err != nil {
				t.Fatal(err)
			}
		})
	}
}
