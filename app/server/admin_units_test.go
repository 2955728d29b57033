package server

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"
)

// Units: create, rename, move, deactivate, the root's time zone; every bad input is a 400
// naming the field; every change is audited; non-admins get 403.
func TestAdminUnitsAPI(t *testing.T) {
	w := newWorld(t)
	admin := w.api("admin")

	st, b := admin.do("POST", "/api/v1/units", `{"code":"delta","name":"Delta","kind":"kecamatan","parent":"kab-uji"}`)
	if st != 201 || b["code"] != "delta" || b["active"] != true {
		t.Fatalf("create = %d %v", st, b)
	}
	st, b = admin.do("POST", "/api/v1/units", `{"code":"upt-delta","name":"UPT Puskesmas Delta","kind":"upt","parent":"delta"}`)
	if st != 201 {
		t.Fatalf("create child = %d %v", st, b)
	}
	for _, tc := range []struct {
		name, method, path, body, field string
	}{
		{"duplicate code", "POST", "/api/v1/units", `{"code":"alpha","name":"Alpha lagi","kind":"kecamatan","parent":"kab-uji"}`, "code"},
		{"bad code", "POST", "/api/v1/units", `{"code":"Alpha Baru","name":"x","kind":"kecamatan","parent":"kab-uji"}`, "code"},
		{"unknown parent", "POST", "/api/v1/units", `{"code":"epsilon","name":"Epsilon","kind":"kecamatan","parent":"tidak-ada"}`, "parent"},
		{"second root", "POST", "/api/v1/units", `{"code":"kab-lain","name":"Kabupaten Lain","kind":"kabupaten"}`, "parent"},
		{"unknown kind", "POST", "/api/v1/units", `{"code":"zeta","name":"Zeta","kind":"desa","parent":"kab-uji"}`, "kind"},
		{"empty name", "PATCH", "/api/v1/units/alpha", `{"name":"  "}`, "name"},
		{"cycle", "PATCH", "/api/v1/units/delta", `{"parent":"upt-delta"}`, "parent"},
		{"self parent", "PATCH", "/api/v1/units/delta", `{"parent":"delta"}`, "parent"},
		{"unknown zone", "PATCH", "/api/v1/units/kab-uji", `{"time_zone":"Asia/Tokyo"}`, "time_zone"},
		{"zone below root", "PATCH", "/api/v1/units/alpha", `{"time_zone":"Asia/Jayapura"}`, "time_zone"},
		{"deactivate root", "PATCH", "/api/v1/units/kab-uji", `{"active":false}`, "active"},
		{"move root", "PATCH", "/api/v1/units/kab-uji", `{"parent":"alpha"}`, "parent"},
	} {
		st, b := admin.do(tc.method, tc.path, tc.body)
		if st != 400 || b["code"] != "invalid" || b["field"] != tc.field || strings.Contains(b["error"].(string), "Kolom") {
			t.Errorf("%s = %d %v, want 400 with field %s", tc.name, st, b, tc.field)
		}
	}
	// A refused change changed nothing.
	if u, _ := w.st.Units.ByCode(context.Background(), "delta"); u.Parent != "kab-uji" {
		t.Errorf("delta moved by a refused request: %+v", u)
	}

	st, b = admin.do("PATCH", "/api/v1/units/upt-delta", `{"parent":"alpha","name":"UPT Puskesmas Alpha"}`)
	if st != 200 || b["parent"] != "alpha" || b["name"] != "UPT Puskesmas Alpha" {
		t.Errorf("move and rename = %d %v", st, b)
	}
	st, b = admin.do("PATCH", "/api/v1/units/delta", `{"active":false}`)
	if st != 200 || b["active"] != false {
		t.Errorf("deactivate = %d %v", st, b)
	}
	st, b = admin.do("GET", "/api/v1/units", "")
	if st != 200 || len(b["units"].([]any)) != 6 {
		t.Errorf("list = %d %v", st, b)
	}
	if got := w.audit("unit.create"); len(got) != 2 {
		t.Errorf("unit.create audited %d times: %v", len(got), got)
	}
	if got := strings.Join(w.audit("unit.update"), "\n"); !strings.Contains(got, "induk delta → alpha") || !strings.Contains(got, "dinonaktifkan") {
		t.Errorf("unit.update audit = %s", got)
	}

	camat := w.api("camat.alpha")
	for _, req := range [][3]string{{"POST", "/api/v1/units", `{"code":"x1","name":"X","kind":"kecamatan","parent":"kab-uji"}`}, {"PATCH", "/api/v1/units/alpha", `{"name":"Milik saya"}`}} {
		if st, b := camat.do(req[0], req[1], req[2]); st != 403 || b["code"] != "forbidden" {
			t.Errorf("camat %s %s = %d %v", req[0], req[1], st, b)
		}
	}
}

// The kabupaten's zone, changed at run time, changes every date the pages show: the next page
// after the change says WIT, with no restart.
func TestAdminTimeZoneChangesPagesAtOnce(t *testing.T) {
	w := newWorld(t)
	admin := w.api("admin")
	if st, b := admin.do("PUT", "/api/v1/periods/2026", `{"instruments":[{"instrument":"zi-2021","opens":"2026-01-15","self_deadline":"2026-11-30","review_deadline":"2026-12-31"}]}`); st != 200 {
		t.Fatalf("period = %d %v", st, b)
	}
	p := &page{t: t, srv: w.srv, cookies: map[string]*http.Cookie{}}
	p.login("camat.alpha")
	_, body := p.do("GET", "/", nil)
	if !strings.Contains(body, "s.d. 30 November 2026 pukul 23.59 WITA") {
		t.Fatalf("home lacks the deadline in WITA: %.2000s", body)
	}
	if st, b := admin.do("PATCH", "/api/v1/units/kab-uji", `{"time_zone":"Asia/Jayapura"}`); st != 200 || b["time_zone"] != "Asia/Jayapura" {
		t.Fatalf("zone = %d %v", st, b)
	}
	_, body = p.do("GET", "/", nil)
	if !strings.Contains(body, "s.d. 30 November 2026 pukul 23.59 WIT") || strings.Contains(body, "WITA") {
		t.Errorf("home after the change does not say WIT")
	}
	// The audit log cuts days in the new zone too (23:30 WITA on the 23rd is 00:30 WIT on the 24th).
	if got := w.st.Audit.Day(context.Background(), time.Date(2026, 11, 23, 23, 30, 0, 0, wita)); got != "2026-11-24" {
		t.Errorf("audit day = %s, want 2026-11-24 in WIT", got)
	}
}

// Unit pages: a form error keeps what was typed, with the message.
func TestAdminUnitPages(t *testing.T) {
	w := newWorld(t)
	p := &page{t: t, srv: w.srv, cookies: map[string]*http.Cookie{}}
	p.login("admin")
	_, body := p.do("GET", "/admin/unit", nil)
	token := csrfRe.FindStringSubmatch(body)[1]
	resp, body := p.do("POST", "/admin/unit", url.Values{"_csrf": {token}, "code": {"alpha"}, "name": {"Nama Yang Diketik"}, "kind": {"kecamatan"}, "parent": {"kab-uji"}})
	// Said as the admin reads it, without the API's field name ("Kolom code: …").
	if resp.StatusCode != 400 || !strings.Contains(body, "Kode unit &#34;alpha&#34; sudah dipakai") || strings.Contains(body, "Kolom") || !strings.Contains(body, `value="Nama Yang Diketik"`) {
		t.Errorf("duplicate code form = %d, message or typed name missing", resp.StatusCode)
	}
	resp, _ = p.do("POST", "/admin/unit", url.Values{"_csrf": {token}, "code": {"omega"}, "name": {"Omega"}, "kind": {"kecamatan"}, "parent": {"kab-uji"}})
	if resp.StatusCode != 303 {
		t.Fatalf("create form = %d", resp.StatusCode)
	}
	resp, body = p.do("POST", "/admin/unit/omega", url.Values{"_csrf": {token}, "name": {"Omega Baru"}, "parent": {"omega"}, "active": {"ya"}})
	if resp.StatusCode != 400 || !strings.Contains(body, "Memindahkan Omega Baru ke bawah Omega Baru membuat siklus") || strings.Contains(body, "Kolom") {
		t.Errorf("cycle form = %d", resp.StatusCode)
	}
	if resp, _ = p.do("POST", "/admin/unit/omega", url.Values{"_csrf": {token}, "name": {"Omega Baru"}, "parent": {"kab-uji"}}); resp.StatusCode != 303 {
		t.Errorf("deactivate form = %d", resp.StatusCode)
	}
	if u, _ := w.st.Units.ByCode(context.Background(), "omega"); u.Name != "Omega Baru" || u.Active {
		t.Errorf("omega = %+v", u)
	}
}
