package server

import (
	"fmt"
	"net/url"
	"strings"
	"testing"

	"github.com/rapor-rb/raporrb/app/web"
)

// The proposal checklist's facts: read by leaders, written by the admin only, with the rev
// guarding concurrent edits and every value checked; the unit's checklist follows what is saved.
// It writes the facts of 2024 (the demo's history), which no other test reads.
func TestEligibilityAPI(t *testing.T) {
	srv := newServer(t, web.Config{})
	admin, bupati, camat := login(t, srv, "admin"), login(t, srv, "bupati"), login(t, srv, "camat.sukamaju")
	path := "/api/v1/eligibility/2024/zi-2021/kab-contoh"

	st, b := bupati.do("GET", path, "")
	if st != 200 || b["kabupaten"] != "kab-contoh" || b["confirmed"] != false || !strings.Contains(b["source"].(string), "2024") {
		t.Fatalf("GET = %d %v", st, b)
	}
	values := b["values"].(map[string]any)
	if values["opini_bpk"] != "WTP" || values["maturitas_spip"] != float64(3) || len(b["units"].([]any)) != demoRes.Units-1 {
		t.Errorf("demo facts = %v, %d units", values, len(b["units"].([]any)))
	}
	rev := b["rev"].(float64)

	st, b = camat.do("GET", path, "")
	wantError(t, st, b, 403, "forbidden")
	body := func(rev float64, extra string) string {
		return fmt.Sprintf(`{"values": {"opini_bpk": "WDP", "maturitas_spip": 3, "nilai_sakip": 72.5, "indeks_rb": 61},
			"units": [{"unit": "sukamaju", "values": {"tindak_lanjut_temuan": 100, "laporan_survei": "Ada"}}%s], "rev": %v}`, extra, rev)
	}
	st, b = bupati.do("PUT", path, body(rev, ""))
	wantError(t, st, b, 403, "forbidden")
	st, b = admin.do("PUT", path, body(rev, `, {"unit": "kota-lain", "values": {}}`))
	wantError(t, st, b, 400, "invalid")
	st, b = admin.do("PUT", path, strings.Replace(body(rev, ""), `"WDP"`, `"Baik"`, 1))
	wantError(t, st, b, 400, "invalid")
	st, b = admin.do("PUT", path, body(rev-1, ""))
	wantError(t, st, b, 409, "conflict")
	st, b = admin.do("PUT", "/api/v1/eligibility/2024/sakip-2021/kab-contoh", body(rev, ""))
	wantError(t, st, b, 404, "not_found")

	st, b = admin.do("PUT", path, body(rev, ""))
	if st != 200 || b["rev"] != rev+1 || b["updated_by"] != "admin" || b["values"].(map[string]any)["opini_bpk"] != "WDP" {
		t.Fatalf("PUT = %d %v", st, b)
	}
	// Sukamaju's 2024 checklist follows: WDP fails both, SAKIP 72.5 and Indeks RB 61 pass WBBM's.
	st, b = bupati.do("GET", "/api/v1/proposal/2024/zi-2021/sukamaju", "")
	if st != 200 {
		t.Fatalf("proposal = %d %v", st, b)
	}
	got := map[string]string{}
	for _, l := range b["report"].(map[string]any)["lists"].([]any) {
		list := l.(map[string]any)
		for _, it := range list["items"].([]any) {
			item := it.(map[string]any)
			got[list["predicate"].(string)+": "+item["text"].(string)] = item["status"].(string)
		}
	}
	for k, want := range map[string]string{
		"WBK: Opini BPK atas laporan keuangan kabupaten WTP":                "tidak_terpenuhi",
		"WBBM: Nilai SAKIP kabupaten minimal BB (di atas 70)":               "terpenuhi",
		"WBBM: Indeks RB kabupaten minimal B (di atas 60)":                  "terpenuhi",
		"WBK: Seluruh temuan pemeriksaan unit telah ditindaklanjuti (100%)": "terpenuhi",
	} {
		if got[k] != want {
			t.Errorf("%s = %q, want %q", k, got[k], want)
		}
	}
	st, b = camat.do("GET", "/api/v1/proposal/2026/zi-2021/sukamaju", "") // its own unit
	if st != 200 {
		t.Errorf("camat's own checklist = %d %v", st, b)
	}
	st, b = camat.do("GET", "/api/v1/proposal/2026/zi-2021/tanjungsari", "")
	wantError(t, st, b, 403, "forbidden")
	st, b = bupati.do("GET", "/api/v1/proposal/2026/sakip-2021/sukamaju", "")
	wantError(t, st, b, 404, "not_found")
}

// The admin's page: a bad value comes back with what was typed and the message; a good one is
// saved and shown. It writes the facts of 2025, which no other test reads.
func TestEligibilityPage(t *testing.T) {
	p := newPage(t, newServer(t, web.Config{}))
	p.login("admin")
	resp, html := p.do("GET", "/admin/syarat-pengusulan?tahun=2025", nil)
	if resp.StatusCode != 200 || !strings.Contains(html, "Belum dikonfirmasi dalam teks peraturan") || !strings.Contains(html, `name="u.sukamaju.tindak_lanjut_temuan"`) {
		t.Fatalf("page = %d %.300s", resp.StatusCode, html)
	}
	form := url.Values{"_csrf": {csrfRe.FindStringSubmatch(html)[1]}, "tahun": {"2025"}, "instrumen": {"zi-2021"}, "kabupaten": {"kab-contoh"},
		"rev": {revOf(t, html)}, "k.opini_bpk": {"WTP"}, "k.maturitas_spip": {"3"}, "k.nilai_sakip": {"68,5"}, "k.indeks_rb": {"seratus"},
		"u.sukamaju.tindak_lanjut_temuan": {"97,5"}}
	resp, html = p.do("POST", "/admin/syarat-pengusulan", form)
	if resp.StatusCode != 400 || !strings.Contains(html, "harus berupa angka") || !strings.Contains(html, `value="seratus"`) || !strings.Contains(html, `value="97,5"`) {
		t.Errorf("bad value = %d, want 400 with the message and what was typed: %.300s", resp.StatusCode, html)
	}
	form.Set("k.indeks_rb", "58")
	resp, _ = p.do("POST", "/admin/syarat-pengusulan", form)
	if resp.StatusCode != 303 || !strings.Contains(resp.Header.Get("Location"), "tersimpan=1") {
		t.Fatalf("save = %d → %q", resp.StatusCode, resp.Header.Get("Location"))
	}
	_, html = p.do("GET", resp.Header.Get("Location"), nil)
	if !strings.Contains(html, "Data tersimpan.") || !strings.Contains(html, `value="68,5"`) || !strings.Contains(html, `value="97,5"`) {
		t.Errorf("after saving: %.500s", html)
	}
	// A stale form is a conflict, not a silent overwrite.
	resp, html = p.do("POST", "/admin/syarat-pengusulan", form)
	if resp.StatusCode != 409 || !strings.Contains(html, "baru saja diubah") {
		t.Errorf("stale save = %d", resp.StatusCode)
	}
	bupati := newPage(t, p.srv)
	bupati.login("bupati")
	if resp, _ := bupati.do("GET", "/admin/syarat-pengusulan", nil); resp.StatusCode != 403 {
		t.Errorf("bupati on the admin page = %d, want 403", resp.StatusCode)
	}
}

func revOf(t *testing.T, html string) string {
	t.Helper()
	i := strings.Index(html, `name="rev" value="`)
	if i < 0 {
		t.Fatal("no rev on the form")
	}
	rest := html[i+len(`name="rev" value="`):]
	return rest[:strings.Index(rest, `"`)]
}
