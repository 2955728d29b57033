package server

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/rapor-rb/raporrb/app/db"
	"github.com/rapor-rb/raporrb/app/dbtest"
	"github.com/rapor-rb/raporrb/app/web"
)

// The hostile probe's scenarios of issue 13, each a request a stranger can send.

// sendChunked sends a chunked body of up to total bytes to path, stopping as soon as the
// server answers or closes, and returns the status and how many body bytes went out.
func sendChunked(t *testing.T, addr, path, contentType string, total int64) (int, int64) {
	t.Helper()
	conn, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	fmt.Fprintf(conn, "POST %s HTTP/1.1\r\nHost: %s\r\nContent-Type: %s\r\nTransfer-Encoding: chunked\r\n\r\n", path, addr, contentType)
	status := make(chan int, 1)
	go func() {
		resp, err := http.ReadResponse(bufio.NewReader(conn), nil)
		if err != nil {
			status <- 0
			return
		}
		resp.Body.Close()
		status <- resp.StatusCode
	}()
	var sent atomic.Int64
	chunk := bytes.Repeat([]byte("A"), 64<<10)
	if strings.HasPrefix(contentType, "multipart/") {
		copy(chunk, "--x\r\nContent-Disposition: form-data; name=\"username\"\r\n\r\n")
	}
	head := []byte(fmt.Sprintf("%x\r\n", len(chunk)))
	done := make(chan struct{})
	go func() {
		defer close(done)
		for sent.Load() < total {
			_ = conn.SetWriteDeadline(time.Now().Add(10 * time.Second))
			if _, err := conn.Write(append(append(head, chunk...), '\r', '\n')); err != nil {
				return
			}
			sent.Add(int64(len(chunk)))
		}
		_, _ = conn.Write([]byte("0\r\n\r\n"))
	}()
	select {
	case st := <-status:
		return st, sent.Load()
	case <-time.After(2 * time.Minute):
		t.Fatalf("no answer to a chunked body to %s after %d bytes", path, sent.Load())
	}
	return 0, 0
}

// Defect 1: an anonymous chunked body is refused while it is read, never parsed whole.
func TestHostileChunkedBodiesRefusedEarly(t *testing.T) {
	srv := newServer(t, web.Config{})
	addr := strings.TrimPrefix(serve(t, srv), "http://")
	const total = 512 << 20 // what the client would send if nobody stopped it
	for _, tc := range []struct {
		path, ct string
		status   int
	}{
		{"/api/v1/auth/login", "multipart/form-data; boundary=x", 415},                                 // multipart only where a file is expected
		{"/api/v1/auth/login", "application/json", 413},                                                // the right type, past the body limit
		{"/masuk", "application/x-www-form-urlencoded", 413},                                           // a page form
		{"/penilaian/2026/zi-2021/sukamaju/bukti/P.MP.PM.1.a", "multipart/form-data; boundary=x", 401}, // an upload route, anonymous
	} {
		st, sent := sendChunked(t, addr, tc.path, tc.ct, total)
		// The kernel's socket buffers take a few MB before the server's answer arrives;
		// reading the body whole would take all 512 MB.
		if st != tc.status || sent > 32<<20 {
			t.Errorf("%s (%s): status %d after %d MB sent, want %d within 32 MB", tc.path, tc.ct, st, sent>>20, tc.status)
		}
	}
}

// Defect 1, with a Content-Length: refused from the header, before the body.
func TestBodyLimitFromContentLength(t *testing.T) {
	srv := newServer(t, web.Config{BodyLimit: 1 << 10})
	req := httptest.NewRequest("POST", "/api/v1/auth/login", strings.NewReader(`{"username":"`+strings.Repeat("a", 2<<10)+`"}`))
	req.Header.Set("Content-Type", "application/json")
	resp, err := srv.App.Test(req)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != 413 || !strings.Contains(string(body), `"code":"too_large"`) {
		t.Errorf("2 KB body with a 1 KB limit = %d %s", resp.StatusCode, body)
	}
}

func rawDo(t *testing.T, srv *web.Server, method, path, ct, body string, hdr ...string) (int, string, http.Header) {
	t.Helper()
	req := httptest.NewRequest(method, path, strings.NewReader(body))
	if ct != "" {
		req.Header.Set("Content-Type", ct)
	}
	for i := 0; i+1 < len(hdr); i += 2 {
		req.Header.Set(hdr[i], hdr[i+1])
	}
	resp, err := srv.App.Test(req, 30_000)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b), resp.Header
}

// Defect 6: API writes take application/json in any case and with parameters, or multipart
// where documented; anything else is 415, and the "$" guard runs on whatever is parsed.
func TestAPIBodyTypes(t *testing.T) {
	srv := newServer(t, web.Config{})
	good := fmt.Sprintf(`{"username":"bupati","password":%q}`, demoPassword)
	where := `{"$where":"1","username":"bupati","password":"x"}`
	for _, tc := range []struct {
		ct, body string
		status   int
		code     string
	}{
		{"text/plain", where, 415, "unsupported_media_type"},
		{"", where, 415, "unsupported_media_type"},
		{"application/x-www-form-urlencoded", "username=bupati&password=x", 415, "unsupported_media_type"},
		{"multipart/form-data; boundary=x", "--x--\r\n", 415, "unsupported_media_type"},
		{"Application/JSON", where, 400, "invalid"},
		{"application/json; charset=UTF-8", `{"username":{"$ne":""},"password":"x"}`, 400, "invalid"},
		{"APPLICATION/JSON; charset=utf-8", good, 200, ""},
	} {
		st, body, _ := rawDo(t, srv, "POST", "/api/v1/auth/login", tc.ct, tc.body)
		if st != tc.status || (tc.code != "" && !strings.Contains(body, `"code":"`+tc.code+`"`)) {
			t.Errorf("login as %q = %d %.200s, want %d %s", tc.ct, st, body, tc.status, tc.code)
		}
	}
	c := login(t, srv, "camat.sukamaju")
	path := fmt.Sprintf("/api/v1/assessments/%d/zi-2021/sukamaju/answers/P.MP.PM.1.a", demoNow.Year())
	if st, body, _ := rawDo(t, srv, "PUT", path, "text/plain", `{"answer":"Ya","rev":0,"$where":"1"}`, "Authorization", "Bearer "+c.token); st != 415 {
		t.Errorf("answer as text/plain = %d %.200s", st, body)
	}
	// Page forms take form bodies only.
	if st, body, _ := rawDo(t, srv, "POST", "/masuk", "application/json", where); st != 415 || !strings.Contains(body, "tidak diterima") {
		t.Errorf("login form as JSON = %d %.200s", st, body)
	}
}

// Defect 8: routing is case-sensitive, the API takes no cookie, and API errors are JSON even
// for a broken multipart body.
func TestAPIRoutingAndErrorShape(t *testing.T) {
	srv := newServer(t, web.Config{})
	p := &page{t: t, srv: srv, cookies: map[string]*http.Cookie{}}
	p.login("camat.sukamaju")
	for _, path := range []string{"/API/v1/assessments", "/Api/V1/assessments", "/api/v1/assessments"} {
		resp, body := p.do("GET", path, nil)
		if resp.StatusCode == 200 || !strings.Contains(body, `"code":"`) {
			t.Errorf("GET %s with the browser's cookie = %d %.200s, want a JSON refusal", path, resp.StatusCode, body)
		}
	}
	c := login(t, srv, "camat.sukamaju")
	path := fmt.Sprintf("/api/v1/assessments/%d/zi-2021/sukamaju/answers/P.MP.PM.1.a/evidence", demoNow.Year())
	for _, name := range []string{"a\rb.pdf", "a\x00b.pdf", "a\nb.pdf"} {
		body := "--x\r\nContent-Disposition: form-data; name=\"file\"; filename=\"" + name + "\"\r\nContent-Type: application/pdf\r\n\r\n" + string(pdfBytes) + "\r\n--x--\r\n"
		st, out, hdr := rawDo(t, srv, "POST", path, "multipart/form-data; boundary=x", body, "Authorization", "Bearer "+c.token)
		if st < 400 || st >= 500 || !strings.HasPrefix(hdr.Get("Content-Type"), "application/json") || !strings.Contains(out, `"code":"`) {
			t.Errorf("file name %q = %d %s %.200s, want a 4xx in the JSON shape", name, st, hdr.Get("Content-Type"), out)
		}
	}
}

// Defect 5: anonymous requests store nothing and set no cookie, except a page with a form.
func TestAnonymousRequestsMintNothing(t *testing.T) {
	srv := newServer(t, web.Config{})
	for _, path := range []string{"/healthz", "/", "/tidak-ada", "/static/css/app.css", "/api/v1/instruments"} {
		_, _, hdr := rawDo(t, srv, "GET", path, "", "")
		if c := hdr.Values("Set-Cookie"); len(c) > 0 {
			t.Errorf("GET %s set %v", path, c)
		}
	}
	_, body, hdr := rawDo(t, srv, "GET", "/masuk", "", "")
	cookie := hdr.Get("Set-Cookie")
	m := csrfRe.FindStringSubmatch(body)
	if !strings.HasPrefix(cookie, "raporrb_csrf=") || m == nil {
		t.Fatalf("login page: cookie %q, token found %v", cookie, m != nil)
	}
	// The same browser gets the same token back (another tab stays valid), and no new cookie.
	nonce := strings.SplitN(strings.SplitN(cookie, ";", 2)[0], "=", 2)[1]
	_, body2, hdr2 := rawDo(t, srv, "GET", "/masuk", "", "", "Cookie", "raporrb_csrf="+nonce)
	if m2 := csrfRe.FindStringSubmatch(body2); m2 == nil || m2[1] != m[1] || hdr2.Get("Set-Cookie") != "" {
		t.Errorf("second login page: token %v (first %s), cookie %q", m2, m[1], hdr2.Get("Set-Cookie"))
	}
	// A token from another nonce is refused: the pair is bound.
	form := url.Values{"_csrf": {m[1]}, "username": {"bupati"}, "password": {demoPassword}}.Encode()
	if st, _, _ := rawDo(t, srv, "POST", "/masuk", "application/x-www-form-urlencoded", form, "Cookie", "raporrb_csrf="+strings.Repeat("A", 43)); st != 403 {
		t.Errorf("token with another nonce = %d, want 403", st)
	}
	if st, _, _ := rawDo(t, srv, "POST", "/masuk", "application/x-www-form-urlencoded", form, "Cookie", "raporrb_csrf="+nonce); st != 303 {
		t.Errorf("token with its nonce = %d, want 303", st)
	}
}

// Defect 9: tokens are revoked, every session can end at once, cookies are Secure behind a
// trusted HTTPS proxy.
func TestSessionsRevokeAndSecure(t *testing.T) {
	srv := newServer(t, web.Config{})
	c := login(t, srv, "staf.sukamaju")
	if st, b := c.do("DELETE", "/api/v1/auth/token", ""); st != 204 {
		t.Fatalf("revoke = %d %v", st, b)
	}
	if st, b := c.do("GET", "/api/v1/assessments", ""); st != 401 {
		t.Errorf("revoked token = %d %v", st, b)
	}

	api := login(t, srv, "camat.sukamaju")
	p := &page{t: t, srv: srv, cookies: map[string]*http.Cookie{}}
	p.login("camat.sukamaju")
	_, home := p.do("GET", "/", nil)
	m := csrfRe.FindStringSubmatch(home)
	if m == nil || !strings.Contains(home, `action="/keluar-semua"`) {
		t.Fatalf("home has no token or no 'keluar dari semua perangkat' form")
	}
	if resp, _ := p.do("POST", "/keluar-semua", url.Values{"_csrf": {m[1]}}); resp.StatusCode != 303 {
		t.Fatalf("logout everywhere = %d", resp.StatusCode)
	}
	if st, _ := api.do("GET", "/api/v1/assessments", ""); st != 401 {
		t.Errorf("API token after logging out everywhere = %d", st)
	}
	if resp, _ := p.do("GET", "/", nil); resp.StatusCode != 302 {
		t.Errorf("page after logging out everywhere = %d", resp.StatusCode)
	}

	proxies, _ := web.ParseTrustedProxies("0.0.0.0")
	behind := newServer(t, web.Config{TrustedProxies: proxies})
	for _, tc := range []struct {
		srv    *web.Server
		proto  string
		secure bool
	}{{behind, "https", true}, {behind, "http", false}, {srv, "https", false}} {
		_, _, hdr := rawDo(t, tc.srv, "GET", "/masuk", "", "", "X-Forwarded-Proto", tc.proto)
		if got := strings.Contains(strings.ToLower(hdr.Get("Set-Cookie")), "; secure"); got != tc.secure {
			t.Errorf("X-Forwarded-Proto %s (trusted %v): Secure = %v, cookie %q", tc.proto, tc.srv == behind, got, hdr.Get("Set-Cookie"))
		}
	}
}

// Issue 14, item 5: instances on one database agree on CSRF tokens (the key is in the
// database) and on the login throttle (a shared fiber.Storage, the database on MongoDB).
func TestInstancesShareCSRFAndThrottle(t *testing.T) {
	a, b := newServer(t, web.Config{}), newServer(t, web.Config{})
	_, body, hdr := rawDo(t, a, "GET", "/masuk", "", "")
	m := csrfRe.FindStringSubmatch(body)
	nonce := strings.SplitN(strings.SplitN(hdr.Get("Set-Cookie"), ";", 2)[0], "=", 2)[1]
	form := url.Values{"_csrf": {m[1]}, "username": {"bupati"}, "password": {demoPassword}}.Encode()
	if st, _, _ := rawDo(t, b, "POST", "/masuk", "application/x-www-form-urlencoded", form, "Cookie", "raporrb_csrf="+nonce); st != 303 {
		t.Errorf("a form of instance A posted to instance B = %d, want 303", st)
	}

	store := newThrottleStorage(t)
	sa, sb := &sleeps{}, &sleeps{}
	a = newServer(t, web.Config{Throttle: store, LoginMaxPerAccount: 2, Sleep: sa.sleep})
	b = newServer(t, web.Config{Throttle: store, LoginMaxPerAccount: 2, Sleep: sb.sleep})
	for i, srv := range []*web.Server{a, b, a} {
		if st := apiLogin(t, srv, "", "inspektur", "salah"); st != 401 {
			t.Fatalf("attempt %d = %d", i, st)
		}
	}
	if got := append(sa.take(), sb.take()...); fmt.Sprint(got) != "[1s]" {
		t.Errorf("waits across two instances = %v, want [1s] (the third failure counted both instances' first two)", got)
	}
}

// newThrottleStorage is the database-backed throttle storage (what instances on MongoDB
// share), on a fresh database of the test's engine.
func newThrottleStorage(t *testing.T) *db.Storage {
	d := dbtest.Fresh(t, engine)
	return db.NewStorage(d, "throttle", nil)
}
