package server

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/rapor-rb/raporrb/app/instrument"
	"github.com/rapor-rb/raporrb/seed/instruments"
)

// newNormal2026 is the shipped New Normal sheet under a new year's id: a yearly variant.
func newNormal2026(t *testing.T) []byte {
	t.Helper()
	b, err := instruments.FS.ReadFile("new-normal-2020.yaml")
	if err != nil {
		t.Fatal(err)
	}
	return []byte(strings.Replace(string(b), "id: new-normal-2020", "id: new-normal-2026", 1))
}

// An uploaded sheet is validated with the start-up messages, previewed, accepted into the
// catalog (readers see it at once, and it is loaded again at the next start), and never
// changed in place once an assessment uses it.
func TestAdminUploadsAnInstrument(t *testing.T) {
	w := newWorld(t)
	admin := w.api("admin")
	sheet := newNormal2026(t)

	broken := []byte(strings.Replace(string(sheet), "weight: 20", "weight: 25", 1))
	_, want := instrument.Parse("nn.yaml", broken)
	if want == nil {
		t.Fatal("the broken sheet parses")
	}
	st, b := admin.upload("/api/v1/instruments?dry_run=true", "nn.yaml", broken)
	if st != 400 || b["error"] != want.Error() {
		t.Errorf("broken sheet = %d %v, want the start-up message %q", st, b, want.Error())
	}
	zi, _ := instruments.FS.ReadFile("zi-2021.yaml")
	if st, b := admin.upload("/api/v1/instruments", "zi.yaml", zi); st != 400 || b["field"] != "id" || strings.Contains(b["error"].(string), "Kolom") || !strings.Contains(b["error"].(string), "zi-2021-2") {
		t.Errorf("embedded id = %d %v", st, b)
	}
	if st, b := admin.upload("/api/v1/instruments", "sk.pdf", pdfBytes); st != 400 || !strings.Contains(b["error"].(string), "bukan YAML") {
		t.Errorf("pdf = %d %v", st, b)
	}
	if st, _ := admin.upload("/api/v1/instruments", "besar.yaml", []byte(strings.Repeat("# x\n", 300_000))); st != 413 {
		t.Errorf("large = %d", st)
	}

	st, b = admin.upload("/api/v1/instruments?dry_run=true", "new-normal-2026.yaml", sheet)
	if st != 200 || b["instrument"].(map[string]any)["id"] != "new-normal-2026" || len(b["tree"].([]any)) == 0 {
		t.Fatalf("dry run = %d %v", st, b)
	}
	if _, ok := w.cat.Get("new-normal-2026"); ok {
		t.Fatal("a dry run added the instrument")
	}
	st, b = admin.upload("/api/v1/instruments", "new-normal-2026.yaml", sheet)
	if st != 201 {
		t.Fatalf("upload = %d %v", st, b)
	}
	if _, ok := w.cat.Get("new-normal-2026"); !ok {
		t.Fatal("not in the catalog")
	}
	if st, b := w.api("camat.alpha").do("GET", "/api/v1/instruments/new-normal-2026", ""); st != 200 || b["id"] != "new-normal-2026" {
		t.Errorf("GET = %d", st)
	}
	// Not yet used: it may be uploaded again (replaced). Used: never.
	if st, b := admin.upload("/api/v1/instruments", "new-normal-2026.yaml", sheet); st != 201 {
		t.Errorf("replacing an unused upload = %d %v", st, b)
	}
	if st, b := admin.do("PUT", "/api/v1/periods/2026", `{"instruments":[{"instrument":"new-normal-2026","opens":"2026-01-15","self_deadline":"2026-12-31","review_deadline":"2026-12-31"}]}`); st != 200 || b["created"] != 2.0 {
		t.Fatalf("period with the new instrument = %d %v", st, b)
	}
	if st, b := w.api("camat.alpha").do("PUT", "/api/v1/assessments/2026/new-normal-2026/alpha/answers/PK.1", `{"answer":"Ya","note":"","rev":0}`); st != 200 {
		t.Errorf("answering the uploaded instrument = %d %v", st, b)
	}
	st, b = admin.upload("/api/v1/instruments", "new-normal-2026.yaml", sheet)
	if st != 400 || !strings.Contains(b["error"].(string), "sudah dipakai 2 penilaian") || !strings.Contains(b["error"].(string), "new-normal-2026-2") {
		t.Errorf("replacing a used instrument = %d %v", st, b)
	}
	if got := w.audit("instrument.add"); len(got) != 2 {
		t.Errorf("audit = %v", got)
	}
	if st, _ := w.api("camat.alpha").upload("/api/v1/instruments", "nn.yaml", sheet); st != 403 {
		t.Errorf("camat upload = %d", st)
	}

	// The next start loads it with the embedded sheets, and the period of the new year picks
	// the newest version of each family.
	cat, err := instrument.LoadFS(instruments.FS)
	if err != nil {
		t.Fatal(err)
	}
	if err := w.st.Instruments.LoadInto(context.Background(), cat); err != nil {
		t.Fatal(err)
	}
	in, ok := cat.Get("new-normal-2026")
	if !ok || !cat.Uploaded("new-normal-2026") || in.NumIndicators() == 0 {
		t.Fatalf("after a restart: %v", ok)
	}
	var ids []string
	for _, in := range cat.ForYear(2027) {
		ids = append(ids, in.ID)
	}
	if got := strings.Join(ids, " "); !strings.Contains(got, "new-normal-2026") || strings.Contains(got, "new-normal-2020") || !strings.Contains(got, "zi-2021") {
		t.Errorf("ForYear(2027) = %s", got)
	}
	if cat.ForYear(2025)[0].ID == "new-normal-2026" {
		t.Errorf("a 2026 sheet offered for 2025")
	}
}

// The instrument page: upload, see the tree, accept.
func TestAdminInstrumentPage(t *testing.T) {
	w := newWorld(t)
	p := &page{t: t, srv: w.srv, cookies: map[string]*http.Cookie{}}
	p.login("admin")
	_, body := p.do("GET", "/admin/instrumen", nil)
	token := csrfRe.FindStringSubmatch(body)[1]
	resp, body := p.multipart("/admin/instrumen?_csrf="+token, "nn.yaml", []byte("id: Bukan Slug\n"))
	if resp.StatusCode != 400 || !strings.Contains(body, "is not a slug") {
		t.Errorf("bad sheet = %d", resp.StatusCode)
	}
	resp, body = p.multipart("/admin/instrumen?_csrf="+token, "new-normal-2026.yaml", newNormal2026(t))
	m := tokenRe.FindStringSubmatch(body)
	if resp.StatusCode != 200 || m == nil || !strings.Contains(body, `id="pohon"`) || !strings.Contains(body, "keluarga new-normal, tahun 2026") {
		t.Fatalf("preview = %d", resp.StatusCode)
	}
	resp, _ = p.do("POST", "/admin/instrumen/terima", url.Values{"_csrf": {token}, "token": {m[1]}, "id": {"new-normal-2026"}})
	if resp.StatusCode != 303 {
		t.Fatalf("accept = %d", resp.StatusCode)
	}
	_, body = p.do("GET", resp.Header.Get("Location"), nil)
	if !strings.Contains(body, "Instrumen new-normal-2026 diterima") || !strings.Contains(body, `data-id="new-normal-2026"`) {
		t.Errorf("catalog page after accepting")
	}
}
