package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"

	"github.com/rapor-rb/raporrb/app/assessment"
)

// login returns an API token.
func (h *harness) login(username string) (string, error) {
	st, b, err := h.do(http.MethodPost, "/api/v1/auth/login", "", fmt.Sprintf(`{"username":%q,"password":%q}`, username, password))
	var out struct {
		Token string `json:"token"`
	}
	if err == nil && (st != 200 || json.Unmarshal(b, &out) != nil || out.Token == "") {
		err = fmt.Errorf("login %s = %d %.200s", username, st, b)
	}
	return out.Token, err
}

func (h *harness) do(method, path, token, body string) (int, []byte, error) {
	req, err := http.NewRequest(method, h.base+path, strings.NewReader(body))
	if err != nil {
		return 0, nil, err
	}
	req.Header.Set("Content-Type", "application/json")
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := h.hc.Do(req)
	if err != nil {
		return 0, nil, err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	return resp.StatusCode, b, err
}

// fetch GETs a page with a token: 200 or an error.
func (h *harness) fetch(url, token string) ([]byte, error) {
	req, _ := http.NewRequest(http.MethodGet, url, nil)
	req.Header.Set("Authorization", "Bearer "+token)
	resp, err := h.hc.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err == nil && resp.StatusCode != 200 {
		err = fmt.Errorf("GET %s = %d", url, resp.StatusCode)
	}
	return b, err
}

// drafts lists the current period's draft assessments (answerable by their camat).
func (h *harness) drafts() ([]assessment.Assessment, error) {
	st, b, err := h.do(http.MethodGet, "/api/v1/periods", h.bupati, "")
	var ps struct {
		Periods []struct {
			Year int `json:"year"`
		} `json:"periods"`
	}
	if err != nil || st != 200 || json.Unmarshal(b, &ps) != nil || len(ps.Periods) == 0 {
		return nil, fmt.Errorf("periods: %d %v %.200s", st, err, b)
	}
	h.year = ps.Periods[0].Year
	as, err := h.st.Assessments.List(context.Background(), assessment.Filter{Period: h.year})
	if err != nil {
		return nil, err
	}
	var out []assessment.Assessment
	for _, a := range as {
		if a.Status != assessment.Draft {
			continue
		}
		// Only sheets still open: one save tells (a past deadline is 403).
		ss, err := h.slots([]assessment.Assessment{a}, 1)
		if err != nil {
			return nil, err
		}
		if len(ss) == 1 && h.saves(ss, 1, 0, 1).err() == nil {
			out = append(out, a)
		}
	}
	return out, nil
}

func byInstrument(as []assessment.Assessment, id string) []assessment.Assessment {
	var out []assessment.Assessment
	for _, a := range as {
		if a.Instrument == id {
			out = append(out, a)
		}
	}
	return out
}

// slots lists up to n answerable indicators over the sheets (round robin), with their revs.
func (h *harness) slots(sheets []assessment.Assessment, n int) ([]*slot, error) {
	per := make([][]*slot, len(sheets))
	for i, a := range sheets {
		tok, ok := h.tokens[a.Unit]
		if !ok {
			var err error
			if tok, err = h.login("camat." + a.Unit); err != nil {
				return nil, err
			}
			h.tokens[a.Unit] = tok
		}
		path := fmt.Sprintf("/api/v1/assessments/%d/%s/%s", a.Period, a.Instrument, a.Unit)
		st, b, err := h.do(http.MethodGet, path, tok, "")
		var sheet struct {
			Answers []struct {
				Indicator string `json:"indicator"`
				Rev       int64  `json:"rev"`
			} `json:"answers"`
		}
		if err != nil || st != 200 || json.Unmarshal(b, &sheet) != nil {
			return nil, fmt.Errorf("GET %s = %d %v", path, st, err)
		}
		revs := map[string]int64{}
		for _, x := range sheet.Answers {
			revs[x.Indicator] = x.Rev
		}
		inst, _ := h.cat.Get(a.Instrument)
		for _, ind := range inst.Indicators() {
			sc := inst.ScaleOf(ind.Code)
			var v [2]any
			switch {
			case sc.FromSurvey():
				continue
			case len(sc.Options) >= 2:
				v = [2]any{sc.Options[0].Key, sc.Options[1].Key}
			case sc.Min != nil && sc.Max != nil:
				v = [2]any{*sc.Min, *sc.Max}
			default:
				v = [2]any{40, 60} // percent
			}
			per[i] = append(per[i], &slot{url: h.base + path + "/answers/" + ind.Code, token: tok, rev: revs[ind.Code], values: v})
		}
	}
	var out []*slot
	for k := 0; len(out) < n; k++ {
		added := false
		for i := range per {
			if k < len(per[i]) && len(out) < n {
				out = append(out, per[i][k])
				added = true
			}
		}
		if !added {
			break
		}
	}
	return out, nil
}
