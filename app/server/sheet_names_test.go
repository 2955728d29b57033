package server

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/rapor-rb/raporrb/app/instrument"
)

// On the camat's sheet a conflict names the colleague who saved in between as people know
// them ("telah diubah oleh <nama>", "Versi terbaru (<nama>, …)"), and so does the history of
// the indicator; never the login. The API keeps the login.
func TestSheetConflictAndHistoryNameThePerson(t *testing.T) {
	_, res, srv := freshDemo(t)
	staf := login(t, srv, "staf.sukamaju")
	name := accountName(t, res, "staf.sukamaju")
	_, list := staf.do("GET", fmt.Sprintf("/api/v1/assessments?period=%d&unit=sukamaju", demoNow.Year()), "")
	var inst string
	for _, x := range list["assessments"].([]any) {
		if a := x.(map[string]any); a["status"] == "draf" && inst == "" {
			inst = a["instrument"].(string)
		}
	}
	if inst == "" {
		t.Fatal("Sukamaju has no draft")
	}
	in, _ := catalog.Get(inst)
	apiPath := fmt.Sprintf("/api/v1/assessments/%d/%s/sukamaju", demoNow.Year(), inst)
	var code, option string
	var rev float64
	for _, ind := range in.Indicators() {
		if in.ScaleOf(ind.Code).Kind == instrument.KindChoice && !in.ScaleOf(ind.Code).FromSurvey() {
			code, option = ind.Code, in.Choices(ind.Code)[0].Key
			if a, ok := answersOf(t, staf, apiPath)[code]; ok {
				rev, _ = a["rev"].(float64)
			}
			break
		}
	}
	base := fmt.Sprintf("/penilaian/%d/%s/sukamaju", demoNow.Year(), inst)
	camat := &page{t: t, srv: srv, cookies: map[string]*http.Cookie{}}
	camat.login("camat.sukamaju")
	_, body := camat.do("GET", base, nil)
	m := csrfRe.FindStringSubmatch(body)
	if m == nil {
		t.Fatal("no CSRF token on the sheet")
	}
	// The staf saves first, through the API; the camat's form still carries the rev it read.
	if st, b := staf.do("PUT", apiPath+"/answers/"+code, fmt.Sprintf(`{"answer": %q, "note": "versi staf", "rev": %d}`, option, int(rev))); st != 200 {
		t.Fatalf("the staf's save = %d %v", st, b)
	}
	camat.header = http.Header{"Hx-Request": {"true"}}
	resp, body := camat.do("POST", base+"/jawaban/"+code, url.Values{"_csrf": {m[1]}, "rev": {fmt.Sprint(int(rev))}, "jawaban": {option}, "catatan": {"versi camat"}})
	if resp.StatusCode != 409 {
		t.Fatalf("the stale save = %d, want 409", resp.StatusCode)
	}
	if !strings.Contains(body, "oleh "+name+".") || !strings.Contains(body, "Versi terbaru ("+name+",") || strings.Contains(body, "staf.sukamaju") {
		t.Errorf("the conflict does not name %q: %.400s", name, conflictText(body))
	}
	if !strings.Contains(body, "versi camat") {
		t.Errorf("the camat's typed note is gone")
	}
	_, hist := camat.do("GET", base+"/riwayat/"+code, nil)
	if !strings.Contains(hist, name) || strings.Contains(hist, "staf.sukamaju") {
		t.Errorf("the history does not name %q: %.400s", name, hist)
	}
	// The API keeps the login.
	st, b := staf.do("PUT", apiPath+"/answers/"+code, fmt.Sprintf(`{"answer": %q, "rev": %d}`, option, int(rev)))
	if msg, _ := b["error"].(string); st != 409 || !strings.Contains(msg, "staf.sukamaju") {
		t.Errorf("API conflict = %d %q, want 409 naming the login", st, msg)
	}
}
