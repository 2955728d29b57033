package server

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"
)

// loginAs signs in with an explicit password.
func loginAs(t *testing.T, w *world, username, password string) (*client, map[string]any) {
	t.Helper()
	c := &client{t: t, srv: w.srv}
	st, b := c.do("POST", "/api/v1/auth/login", fmt.Sprintf(`{"username":%q,"password":%q}`, username, password))
	if st != 200 {
		t.Fatalf("login %s = %d %v", username, st, b)
	}
	c.token = b["token"].(string)
	return c, b
}

// A new user gets a one-time password; until they set their own, every call but the change is
// 403; afterwards everything works, with the new password only.
func TestAdminCreatesUserWhoMustChangePassword(t *testing.T) {
	w := newWorld(t)
	admin := w.api("admin")
	st, b := admin.do("POST", "/api/v1/users", `{"username":"staf2.alpha","name":"Rina Marlina","role":"staf","unit":"alpha","nip":"198801012010012001"}`)
	if st != 201 {
		t.Fatalf("create = %d %v", st, b)
	}
	pw, _ := b["password"].(string)
	if len(pw) < 12 || b["user"].(map[string]any)["must_change_password"] != true {
		t.Fatalf("create = %v: want a one-time password and must_change_password", b)
	}
	u, lb := loginAs(t, w, "staf2.alpha", pw)
	if lb["must_change_password"] != true {
		t.Errorf("login = %v, want must_change_password: true", lb)
	}
	for _, path := range []string{"/api/v1/assessments", "/api/v1/instruments", "/api/v1/units"} {
		if st, b := u.do("GET", path, ""); st != 403 || !strings.Contains(b["error"].(string), "kata sandi") {
			t.Errorf("GET %s before the change = %d %v", path, st, b)
		}
	}
	if st, b := u.do("GET", "/api/v1/me", ""); st != 200 || b["username"] != "staf2.alpha" {
		t.Errorf("me = %d %v", st, b)
	}
	for _, tc := range []struct{ body, field string }{
		{`{"old":"salah-sekali","new":"Kuat-Sekali-2026"}`, "old"},
		{fmt.Sprintf(`{"old":%q,"new":"pendek"}`, pw), "new"},
		{fmt.Sprintf(`{"old":%q,"new":%q}`, pw, pw), "new"},
	} {
		if st, b := u.do("PUT", "/api/v1/me/password", tc.body); st != 400 || b["field"] != tc.field || strings.Contains(b["error"].(string), "Kolom") {
			t.Errorf("change %s = %d %v, want 400 with field %s", tc.body, st, b, tc.field)
		}
	}
	if st, b := u.do("PUT", "/api/v1/me/password", fmt.Sprintf(`{"old":%q,"new":"Kuat-Sekali-2026"}`, pw)); st != 200 {
		t.Fatalf("change = %d %v", st, b)
	}
	if st, _ := u.do("GET", "/api/v1/assessments", ""); st != 200 {
		t.Errorf("after the change = %d", st)
	}
	c := &client{t: t, srv: w.srv}
	if st, _ := c.do("POST", "/api/v1/auth/login", fmt.Sprintf(`{"username":"staf2.alpha","password":%q}`, pw)); st != 401 {
		t.Errorf("the one-time password still works: %d", st)
	}
	if _, lb := loginAs(t, w, "staf2.alpha", "Kuat-Sekali-2026"); lb["must_change_password"] != false {
		t.Errorf("login after the change = %v", lb)
	}
	got := strings.Join(w.audit("user.create"), "\n") + strings.Join(w.audit("user.password"), "\n")
	if !strings.Contains(got, "admin staf2.alpha alpha") || !strings.Contains(got, "staf2.alpha staf2.alpha alpha: mengganti kata sandinya sendiri") {
		t.Errorf("audit = %s", got)
	}
}

// Bad input: 400 naming the field; a duplicate username; non-admins 403.
func TestAdminUsersRefuseBadInput(t *testing.T) {
	w := newWorld(t)
	admin := w.api("admin")
	for _, tc := range []struct{ body, field string }{
		{`{"username":"camat.alpha","name":"Dua","role":"camat","unit":"alpha"}`, "username"},
		{`{"username":"Bukan Valid","name":"X","role":"staf","unit":"alpha"}`, "username"},
		{`{"username":"x.y","name":"","role":"staf","unit":"alpha"}`, "name"},
		{`{"username":"x.y","name":"X","role":"raja","unit":"alpha"}`, "role"},
		{`{"username":"x.y","name":"X","role":"staf"}`, "unit"},
		{`{"username":"x.y","name":"X","role":"staf","unit":"tidak-ada"}`, "unit"},
		{`{"username":"x.y","name":"X","role":"staf","unit":"kab-uji"}`, "unit"},
		{`{"username":"x.y","name":"X","role":"staf","unit":"gamma"}`, "unit"},
	} {
		if st, b := admin.do("POST", "/api/v1/users", tc.body); st != 400 || b["field"] != tc.field || strings.Contains(b["error"].(string), "Kolom") {
			t.Errorf("%s = %d %v, want 400 with field %s", tc.body, st, b, tc.field)
		}
	}
	if st, b := admin.do("PATCH", "/api/v1/users/admin", `{"disabled":true}`); st != 400 {
		t.Errorf("disabling oneself = %d %v", st, b)
	}
	for _, name := range []string{"camat.alpha", "bupati", "inspektur"} {
		c := w.api(name)
		for _, req := range [][3]string{{"GET", "/api/v1/users", ""}, {"POST", "/api/v1/users", `{"username":"x","name":"x","role":"admin"}`},
			{"PATCH", "/api/v1/users/staf.alpha", `{"role":"admin"}`}, {"POST", "/api/v1/users/staf.alpha/password", ""}} {
			if st, b := c.do(req[0], req[1], req[2]); st != 403 {
				t.Errorf("%s %s %s = %d %v", name, req[0], req[1], st, b)
			}
		}
	}
}

// Disabling a user ends their sessions and tokens at once; a reset gives a new one-time
// password and ends them too.
func TestAdminDisableAndResetEndSessions(t *testing.T) {
	w := newWorld(t)
	admin := w.api("admin")
	camat := w.api("camat.beta")
	p := &page{t: t, srv: w.srv, cookies: map[string]*http.Cookie{}}
	p.login("camat.beta")
	if st, _ := camat.do("GET", "/api/v1/assessments", ""); st != 200 {
		t.Fatalf("before = %d", st)
	}
	if st, b := admin.do("PATCH", "/api/v1/users/camat.beta", `{"disabled":true}`); st != 200 || b["disabled"] != true {
		t.Fatalf("disable = %d %v", st, b)
	}
	if st, _ := camat.do("GET", "/api/v1/assessments", ""); st != 401 {
		t.Errorf("token after disabling = %d, want 401", st)
	}
	if resp, _ := p.do("GET", "/", nil); resp.StatusCode != 302 || !strings.HasPrefix(resp.Header.Get("Location"), "/masuk") {
		t.Errorf("browser session after disabling = %d → %s", resp.StatusCode, resp.Header.Get("Location"))
	}
	n, err := w.st.DB.Collection("sessions").CountDocuments(context.Background(), map[string]any{"user": "camat.beta"})
	if err != nil || n != 0 {
		t.Errorf("sessions left = %d, %v", n, err)
	}
	// Enabled again, the old tokens stay dead; a reset hands out a one-time password.
	if st, _ := admin.do("PATCH", "/api/v1/users/camat.beta", `{"disabled":false}`); st != 200 {
		t.Fatal("enable")
	}
	if st, _ := camat.do("GET", "/api/v1/assessments", ""); st != 401 {
		t.Errorf("old token after re-enabling = %d", st)
	}
	staf := w.api("staf.alpha")
	st, b := admin.do("POST", "/api/v1/users/staf.alpha/password", "")
	if st != 200 || len(b["password"].(string)) < 12 {
		t.Fatalf("reset = %d %v", st, b)
	}
	if st, _ := staf.do("GET", "/api/v1/assessments", ""); st != 401 {
		t.Errorf("token after a reset = %d", st)
	}
	if _, lb := loginAs(t, w, "staf.alpha", b["password"].(string)); lb["must_change_password"] != true {
		t.Errorf("login with the reset password = %v", lb)
	}
	if st, b := admin.do("PATCH", "/api/v1/users/staf.alpha", `{"role":"camat","name":"Staf Naik Jabatan"}`); st != 200 || b["role"] != "camat" {
		t.Errorf("role change = %d %v", st, b)
	}
	if got := strings.Join(w.audit("user.update"), "\n"); !strings.Contains(got, "dinonaktifkan (sesi diakhiri)") || !strings.Contains(got, "peran Staf Kecamatan → Camat") {
		t.Errorf("audit = %s", got)
	}
}

func usersXLSX(t *testing.T, rows [][]any) []byte {
	t.Helper()
	f := excelize.NewFile()
	for i, r := range rows {
		cell, _ := excelize.CoordinatesToCellName(1, i+1)
		if err := f.SetSheetRow("Sheet1", cell, &r); err != nil {
			t.Fatal(err)
		}
	}
	var buf bytes.Buffer
	if err := f.Write(&buf); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// Bulk import: a dry run previews; one bad row changes nothing and every bad row says why;
// a good file (CSV with ';', or XLSX) creates everyone with one-time passwords.
func TestAdminImportsUsers(t *testing.T) {
	w := newWorld(t)
	admin := w.api("admin")
	bad := "username;nama;peran;unit\ncamat.gamma;Camat Gamma;camat;gamma\nstaf.baru;Staf Baru;staf;Alpha\ncamat.alpha;Dobel;camat;alpha\nstaf.baru;Kembar;staf;beta\nx;Pendek;raja;\n"
	st, b := admin.upload("/api/v1/users/import", "pengguna.csv", []byte(bad))
	if st != 400 || !strings.Contains(b["error"].(string), "4 baris tidak valid") {
		t.Fatalf("bad import = %d %v", st, b)
	}
	lines := b["current"].(map[string]any)["lines"].([]any)
	wantReasons := []string{"tidak aktif", "", "sudah dipakai", "sudah ada di baris 3", "Nama pengguna \"x\" tidak valid"}
	for i, l := range lines {
		reason, _ := l.(map[string]any)["reason"].(string)
		if !strings.Contains(reason, wantReasons[i]) || (wantReasons[i] == "") != (reason == "") {
			t.Errorf("line %d reason %q, want %q", i+2, reason, wantReasons[i])
		}
	}
	if _, err := w.st.Users.ByUsername(context.Background(), "staf.baru"); err == nil {
		t.Errorf("a bad file created staf.baru")
	}

	good := usersXLSX(t, [][]any{{"Nama Pengguna", "Nama", "Peran", "Unit", "NIP"},
		{"staf.baru", "Staf Baru", "Staf Kecamatan", "Alpha", "199001012015031002"}, {"eval.dua", "Evaluator Dua", "evaluator", "", ""}})
	st, b = admin.upload("/api/v1/users/import?dry_run=true", "pengguna.xlsx", good)
	if st != 200 || b["preview"].(map[string]any)["new"] != 2.0 {
		t.Fatalf("dry run = %d %v", st, b)
	}
	if _, err := w.st.Users.ByUsername(context.Background(), "staf.baru"); err == nil {
		t.Errorf("a dry run created staf.baru")
	}
	st, b = admin.upload("/api/v1/users/import", "pengguna.xlsx", good)
	if st != 201 || len(b["created"].([]any)) != 2 {
		t.Fatalf("import = %d %v", st, b)
	}
	created := b["created"].([]any)[0].(map[string]any)
	if _, lb := loginAs(t, w, created["username"].(string), created["password"].(string)); lb["must_change_password"] != true {
		t.Errorf("imported user login = %v", lb)
	}
	u, err := w.st.Users.ByUsername(context.Background(), "staf.baru")
	if err != nil || u.Unit != "alpha" || u.Role != "staf" || u.NIP != "199001012015031002" {
		t.Errorf("imported = %+v %v", u, err)
	}
	// Files that are not tables, or too large, are refused with a clear error.
	if st, b := admin.upload("/api/v1/users/import", "foto.pdf", pdfBytes); st != 400 || !strings.Contains(b["error"].(string), "bukan CSV atau XLSX") {
		t.Errorf("pdf = %d %v", st, b)
	}
	if st, b := admin.upload("/api/v1/users/import", "besar.csv", bytes.Repeat([]byte("a,b,c\n"), 200_000)); st != 413 {
		t.Errorf("large = %d %v", st, b)
	}
	if got := w.audit("import"); len(got) != 1 || !strings.Contains(got[0], "Impor 2 pengguna") {
		t.Errorf("audit = %v", got)
	}
}

// The pages: a one-time password shown once; the bulk import previewed, applied as a job
// whose page shows the passwords once.
func TestAdminUserPagesAndImportJob(t *testing.T) {
	w := newWorld(t)
	p := &page{t: t, srv: w.srv, cookies: map[string]*http.Cookie{}}
	p.login("admin")
	_, body := p.do("GET", "/admin/pengguna", nil)
	token := csrfRe.FindStringSubmatch(body)[1]
	resp, body := p.do("POST", "/admin/pengguna", url.Values{"_csrf": {token}, "username": {"camat.alpha"}, "name": {"Diketik"}, "role": {"camat"}, "unit": {"alpha"}})
	if resp.StatusCode != 400 || !strings.Contains(body, "sudah dipakai") || !strings.Contains(body, `value="Diketik"`) {
		t.Errorf("duplicate = %d", resp.StatusCode)
	}
	resp, body = p.do("POST", "/admin/pengguna", url.Values{"_csrf": {token}, "username": {"pimpinan2"}, "name": {"Wakil Bupati"}, "role": {"pimpinan"}})
	if resp.StatusCode != 200 || !strings.Contains(body, `id="akun-sandi"`) || resp.Header.Get("Cache-Control") != "no-store" {
		t.Fatalf("create page = %d", resp.StatusCode)
	}
	// The import: preview, confirm, the job's page with the passwords, shown once.
	csv := "username,nama,peran,unit\nstaf3.alpha,Staf Tiga,staf,alpha\n"
	resp, body = p.multipart("/admin/impor/pengguna?_csrf="+token, "pengguna.csv", []byte(csv))
	m := tokenRe.FindStringSubmatch(body)
	if resp.StatusCode != 200 || m == nil || !strings.Contains(body, "1</strong> akun baru") {
		t.Fatalf("preview = %d %.500s", resp.StatusCode, body)
	}
	resp, _ = p.do("POST", "/admin/impor/pengguna/terapkan", url.Values{"_csrf": {token}, "token": {m[1]}})
	if resp.StatusCode != 303 || !strings.HasPrefix(resp.Header.Get("Location"), "/tugas/") {
		t.Fatalf("apply = %d → %s", resp.StatusCode, resp.Header.Get("Location"))
	}
	w.st.Jobs.Wait()
	_, body = p.do("GET", resp.Header.Get("Location"), nil)
	if !strings.Contains(body, "1 pengguna dibuat") || !strings.Contains(body, `id="kata-sandi-sementara"`) || !strings.Contains(body, "staf3.alpha") {
		t.Fatalf("job page = %s", body[strings.Index(body, "<main"):])
	}
	_, body = p.do("GET", resp.Header.Get("Location"), nil)
	if strings.Contains(body, `id="kata-sandi-sementara"`) {
		t.Errorf("the passwords were shown twice")
	}
	// The same confirmation cannot be replayed.
	if resp, _ = p.do("POST", "/admin/impor/pengguna/terapkan", url.Values{"_csrf": {token}, "token": {m[1]}}); resp.StatusCode != 404 {
		t.Errorf("replayed confirmation = %d", resp.StatusCode)
	}
}
