package server

import (
	"fmt"
	"strings"
	"testing"

	"github.com/rapor-rb/raporrb/app/web"
)

// draftUnit finds a kecamatan other than the showcase one whose ZI sheet of this year is a draft.
func draftUnit(t *testing.T, c *client) string {
	t.Helper()
	_, b := c.do("GET", fmt.Sprintf("/api/v1/assessments?period=%d&instrument=zi-2021", demoNow.Year()), "")
	for _, a := range b["assessments"].([]any) {
		m := a.(map[string]any)
		if m["status"] == "draf" && m["unit"] != demoRes.Accounts[3].Unit {
			return m["unit"].(string)
		}
	}
	t.Fatal("no draft ZI assessment in the demo")
	return ""
}

func answerRev(t *testing.T, c *client, path, code string) int {
	t.Helper()
	_, b := c.do("GET", path, "")
	for _, a := range b["answers"].([]any) {
		if m := a.(map[string]any); m["indicator"] == code {
			return int(m["rev"].(float64))
		}
	}
	return 0
}

func TestAPIAnswerWrites(t *testing.T) {
	srv := newServer(t, web.Config{})
	unit := draftUnit(t, login(t, srv, "bupati"))
	camat := login(t, srv, "camat."+unit)
	path := fmt.Sprintf("/api/v1/assessments/%d/zi-2021/%s", demoNow.Year(), unit)
	code := "P.MP.PM.1.a" // Ya/Tidak
	rev := answerRev(t, camat, path, code)

	st, b := camat.do("PUT", path+"/answers/"+code, fmt.Sprintf(`{"answer": "Ya", "note": "SK tim terlampir", "rev": %d}`, rev))
	if st != 200 || b["answer"].(map[string]any)["rev"].(float64) != float64(rev+1) || b["self"] == nil {
		t.Fatalf("save = %d %v", st, b)
	}
	for _, tc := range []struct {
		name, indicator, body string
		status                int
		code, mentions        string
	}{
		{"option not in the scale", code, fmt.Sprintf(`{"answer": "Mungkin", "rev": %d}`, rev+1), 400, "invalid", code},
		{"number for an option scale", code, fmt.Sprintf(`{"answer": 1, "rev": %d}`, rev+1), 400, "invalid", code},
		{"percent out of range", "P.MP.RF.1.b", `{"answer": 101, "rev": 0}`, 400, "invalid", "P.MP.RF.1.b"},
		{"note too long", code, fmt.Sprintf(`{"answer": "Tidak", "note": %q, "rev": %d}`, strings.Repeat("x", 2001), rev+1), 400, "invalid", code},
		{"unknown indicator", "X.1", `{"answer": "Ya", "rev": 0}`, 400, "invalid", "X.1"},
		{"missing rev", code, `{"answer": "Ya"}`, 400, "invalid", "rev"},
		{"operator key", code, `{"answer": {"$gt": ""}, "rev": 1}`, 400, "invalid", "$gt"},
		{"stale rev", code, fmt.Sprintf(`{"answer": "Tidak", "rev": %d}`, rev), 409, "conflict", code},
	} {
		t.Run(tc.name, func(t *testing.T) {
			st, b := camat.do("PUT", path+"/answers/"+tc.indicator, tc.body)
			wantError(t, st, b, tc.status, tc.code)
			if msg, _ := b["error"].(string); !strings.Contains(msg, tc.mentions) {
				t.Errorf("message %q does not name %s", msg, tc.mentions)
			}
			if tc.status == 409 {
				cur, _ := b["current"].(map[string]any)
				if cur == nil || cur["self"].(map[string]any)["option"] != "Ya" {
					t.Errorf("409 without the current answer: %v", b)
				}
			}
		})
	}
	// Nothing above changed the saved answer.
	_, sheet := camat.do("GET", path, "")
	for _, a := range sheet["answers"].([]any) {
		if m := a.(map[string]any); m["indicator"] == code {
			if self := m["self"].(map[string]any); self["option"] != "Ya" || self["note"] != "SK tim terlampir" || int(m["rev"].(float64)) != rev+1 {
				t.Errorf("answer changed by rejected writes: %v", m)
			}
		}
	}
	if st, b := camat.do("GET", path+"/answers/"+code+"/history", ""); st != 200 || len(b["versions"].([]any)) < 1 {
		t.Errorf("history = %d %v", st, b)
	}

	// Who may write: another kecamatan's camat, the bupati, an admin, an evaluator — never.
	other := login(t, srv, demoRes.Accounts[3].Username)
	for _, c := range []*client{other, login(t, srv, "bupati"), login(t, srv, "admin"), login(t, srv, "inspektur")} {
		st, b := c.do("PUT", path+"/answers/"+code, fmt.Sprintf(`{"answer": "Tidak", "rev": %d}`, rev+1))
		wantError(t, st, b, 403, "forbidden")
	}
	// The staf may answer but not submit.
	staf := login(t, srv, "staf."+unit)
	st, b = staf.do("POST", path+"/submit", "")
	wantError(t, st, b, 403, "forbidden")
}
