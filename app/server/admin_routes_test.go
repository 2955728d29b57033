package server

import (
	"net/http"
	"net/url"
	"sort"
	"strings"
	"testing"
)

// fillParams puts sample values into a route's parameters.
func fillParams(path string) string {
	r := strings.NewReplacer(":year", "2026", ":instrument", "zi-2021", ":unit", "alpha", ":code", "alpha",
		":username", "staf.alpha", ":name", "raporrb-20260101-000000.tar.gz", ":id", "x", ":indicator", "P.MP.PM.1.a", ":sha", "x")
	return r.Replace(path)
}

// Every route with the admin policy refuses every other role with 403, pages and API alike
// (the route list is walked, so a new admin route is covered without editing this test).
func TestEveryAdminRouteRefusesNonAdmins(t *testing.T) {
	w := newWorld(t)
	var routes []string
	for rt, pol := range w.srv.Policies() {
		if pol == "admin" && !strings.HasPrefix(rt, "HEAD ") {
			routes = append(routes, rt)
		}
	}
	sort.Strings(routes)
	if len(routes) < 25 {
		t.Fatalf("only %d admin routes: %v", len(routes), routes)
	}
	for _, who := range []string{"camat.alpha", "staf.alpha", "inspektur", "bupati"} {
		api := w.api(who)
		p := &page{t: t, srv: w.srv, cookies: map[string]*http.Cookie{}}
		p.login(who)
		_, body := p.do("GET", "/akun/kata-sandi", nil)
		token := csrfRe.FindStringSubmatch(body)[1]
		for _, rt := range routes {
			method, path, _ := strings.Cut(rt, " ")
			path = fillParams(path)
			var status int
			var msg string
			if strings.HasPrefix(path, "/api/") {
				st, b := api.do(method, path, "{}")
				status, msg = st, b["code"].(string)
			} else {
				var form url.Values
				if method != "GET" {
					form = url.Values{"_csrf": {token}}
				}
				resp, body := p.do(method, path, form)
				status, msg = resp.StatusCode, body
			}
			if status != 403 {
				t.Errorf("%s: %s %s = %d, want 403 (%.120s)", who, method, path, status, msg)
			}
		}
	}
	// The admin reaches every admin page.
	p := &page{t: t, srv: w.srv, cookies: map[string]*http.Cookie{}}
	p.login("admin")
	for _, path := range []string{"/admin/unit", "/admin/unit/alpha", "/admin/pengguna", "/admin/pengguna/staf.alpha", "/admin/periode",
		"/admin/periode/2027", "/admin/instrumen", "/admin/impor", "/admin/cadangan", "/"} {
		if resp, body := p.do("GET", path, nil); resp.StatusCode != 200 || strings.Contains(body, "kode unit ") {
			t.Errorf("admin GET %s = %d", path, resp.StatusCode)
		}
	}
}
