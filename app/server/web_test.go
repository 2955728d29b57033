package server

import (
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/rapor-rb/raporrb/app/web"
)

// page is a tiny browser for App.Test: it keeps cookies between requests.
type page struct {
	t       *testing.T
	srv     *web.Server
	cookies map[string]*http.Cookie
	header  http.Header // sent with every request besides the cookies
}

func (p *page) do(method, path string, form url.Values) (*http.Response, string) {
	p.t.Helper()
	var body io.Reader
	if form != nil {
		body = strings.NewReader(form.Encode())
	}
	req := httptest.NewRequest(method, path, body)
	if form != nil {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	req.Header.Set("Accept", "text/html")
	for k, v := range p.header {
		req.Header[k] = v
	}
	for _, c := range p.cookies {
		req.AddCookie(c)
	}
	resp, err := p.srv.App.Test(req, 30_000)
	if err != nil {
		p.t.Fatal(err)
	}
	defer resp.Body.Close()
	for _, c := range resp.Cookies() {
		if c.MaxAge < 0 || c.Value == "" {
			delete(p.cookies, c.Name)
		} else {
			p.cookies[c.Name] = c
		}
	}
	b, _ := io.ReadAll(resp.Body)
	return resp, string(b)
}

var csrfRe = regexp.MustCompile(`name="_csrf" value="([^"]+)"`)

func TestWebLoginFlow(t *testing.T) {
	p := &page{t: t, srv: newServer(t, web.Config{}), cookies: map[string]*http.Cookie{}}

	resp, _ := p.do("GET", "/", nil)
	if resp.StatusCode != 302 || resp.Header.Get("Location") != "/masuk?lanjut=/" {
		t.Fatalf("anonymous home = %d → %q", resp.StatusCode, resp.Header.Get("Location"))
	}
	if csp := resp.Header.Get("Content-Security-Policy"); !strings.Contains(csp, "script-src 'self'") {
		t.Errorf("CSP = %q", csp)
	}

	// Without the CSRF token the form is refused, in Bahasa Indonesia.
	resp, body := p.do("POST", "/masuk", url.Values{"username": {"bupati"}, "password": {demoPassword}})
	if resp.StatusCode != 403 || !strings.Contains(body, "Formulir kedaluwarsa") {
		t.Fatalf("login without CSRF = %d %.300s", resp.StatusCode, body)
	}

	resp, body = p.do("GET", "/masuk", nil)
	m := csrfRe.FindStringSubmatch(body)
	if resp.StatusCode != 200 || m == nil {
		t.Fatalf("login page = %d, csrf token found: %v", resp.StatusCode, m != nil)
	}
	token := m[1]

	resp, body = p.do("POST", "/masuk", url.Values{"_csrf": {token}, "username": {"bupati"}, "password": {"salah"}})
	if resp.StatusCode != 401 || !strings.Contains(body, "Nama pengguna atau kata sandi salah") {
		t.Fatalf("wrong password = %d", resp.StatusCode)
	}

	resp, _ = p.do("POST", "/masuk", url.Values{"_csrf": {token}, "username": {"bupati"}, "password": {demoPassword}, "lanjut": {"//evil.example/"}})
	if resp.StatusCode != 303 || resp.Header.Get("Location") != "/" {
		t.Fatalf("login = %d → %q (an off-site 'lanjut' must fall back to /)", resp.StatusCode, resp.Header.Get("Location"))
	}
	sess := p.cookies["raporrb_sesi"]
	if sess == nil || !sess.HttpOnly || sess.SameSite != http.SameSiteLaxMode {
		t.Fatalf("session cookie = %+v", sess)
	}

	resp, _ = p.do("GET", "/", nil)
	if resp.StatusCode != 302 || resp.Header.Get("Location") != "/dasbor?tahun=2026" {
		t.Fatalf("bupati home = %d → %q, want the dashboard", resp.StatusCode, resp.Header.Get("Location"))
	}
	resp, body = p.do("GET", "/dasbor?tahun=2026", nil)
	if resp.StatusCode != 200 || !strings.Contains(body, "Dasbor reformasi birokrasi") {
		t.Fatalf("dashboard = %d", resp.StatusCode)
	}
	// The login rotated the token: the login form's one is no longer good.
	anonToken := token
	if m := csrfRe.FindStringSubmatch(body); m == nil || m[1] == anonToken {
		t.Fatalf("signed-in token = %v, want a new one", m)
	} else {
		token = m[1]
	}
	if resp, _ := p.do("POST", "/keluar", url.Values{"_csrf": {anonToken}}); resp.StatusCode != 403 {
		t.Errorf("logout with the login form's token = %d, want 403", resp.StatusCode)
	}
	resp, body = p.do("GET", "/tidak-ada", nil)
	if resp.StatusCode != 404 || !strings.Contains(body, "Halaman tidak ditemukan") {
		t.Errorf("unknown page = %d %.200s", resp.StatusCode, body)
	}
	resp, body = p.do("GET", "/?tahun=1999", nil)
	if resp.StatusCode != 400 || !strings.Contains(body, "tidak valid") {
		t.Errorf("bad year = %d", resp.StatusCode)
	}
	resp, body = p.do("GET", "/?tahun=2031", nil)
	if resp.StatusCode != 404 || !strings.Contains(body, "Periode 2031 tidak ditemukan") {
		t.Errorf("unknown year = %d", resp.StatusCode)
	}

	// A $-prefixed form key never reaches a handler.
	resp, _ = p.do("POST", "/keluar", url.Values{"_csrf": {token}, "$where": {"1"}})
	if resp.StatusCode != 400 {
		t.Errorf("$-key form = %d, want 400", resp.StatusCode)
	}

	resp, _ = p.do("POST", "/keluar", url.Values{"_csrf": {token}})
	if resp.StatusCode != 303 {
		t.Fatalf("logout = %d", resp.StatusCode)
	}
	resp, _ = p.do("GET", "/", nil)
	if resp.StatusCode != 302 {
		t.Errorf("home after logout = %d", resp.StatusCode)
	}
}

// login signs the page in through the real form (CSRF included).
func (p *page) login(username string) {
	p.t.Helper()
	_, body := p.do("GET", "/masuk", nil)
	m := csrfRe.FindStringSubmatch(body)
	if m == nil {
		p.t.Fatal("no CSRF token on the login page")
	}
	resp, _ := p.do("POST", "/masuk", url.Values{"_csrf": {m[1]}, "username": {username}, "password": {demoPassword}})
	if resp.StatusCode != 303 {
		p.t.Fatalf("login %s = %d", username, resp.StatusCode)
	}
}
