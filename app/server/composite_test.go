package server

import (
	"fmt"
	"math"
	"net/url"
	"reflect"
	"regexp"
	"strings"
	"testing"

	"github.com/rapor-rb/raporrb/app/scoring"
	"github.com/rapor-rb/raporrb/app/web"
)

// TestCompositeIndexEqualWeights: with equal weights each unit's index is the mean of its
// scores normalized to 0–100, the parts add up to it, and the rows are ranked by it.
func TestCompositeIndexEqualWeights(t *testing.T) {
	srv := newServer(t, web.Config{})
	c := login(t, srv, "bupati")
	comp := c.mustGet(fmt.Sprintf("/api/v1/composite?period=%d", dashYear))
	if comp["period"] != float64(dashYear) {
		t.Errorf("period = %v", comp["period"])
	}
	var ids []string
	for _, w := range objects(t, comp, "weights") {
		ids = append(ids, w["instrument"].(string))
		if w["weight"] != 1.0 {
			t.Fatalf("weights are not the default equal ones (another test did not restore them?): %v", comp["weights"])
		}
	}
	scaleMax := map[string]float64{}
	scores := map[string]map[string]float64{} // instrument → unit → score
	finals := map[string]map[string]bool{}
	for _, id := range ids {
		in := c.mustGet("/api/v1/instruments/" + id)
		scaleMax[id], _ = num(in, "scale_max")
		if scaleMax[id] <= 0 {
			t.Fatalf("%s scale_max = %v", id, in["scale_max"])
		}
		scores[id], finals[id] = map[string]float64{}, map[string]bool{}
		for _, r := range rankingRows(t, c, id) {
			scores[id][r["unit"].(string)], _ = num(r, "score")
			_, finals[id][r["unit"].(string)] = num(r, "final")
		}
	}
	if scaleMax["pekppp-2022"] != 5 {
		t.Errorf("pekppp scale_max = %v: the normalization is not exercised", scaleMax["pekppp-2022"])
	}
	rows := objects(t, comp, "rows")
	if len(rows) != demoRes.Units-1 {
		t.Fatalf("%d composite rows, want %d", len(rows), demoRes.Units-1)
	}
	for i, row := range rows {
		unit := row["unit"].(string)
		var sum float64
		allFinal := true
		for _, id := range ids {
			sum += scores[id][unit] / scaleMax[id] * 100
			allFinal = allFinal && finals[id][unit]
		}
		want := scoring.Round2(sum / float64(len(ids)))
		index, _ := num(row, "index")
		if math.Abs(index-want) > 0.01 {
			t.Errorf("%s index = %v, want mean of normalized scores %v", unit, index, want)
		}
		if row["final"] != allFinal {
			t.Errorf("%s final = %v, want %v", unit, row["final"], allFinal)
		}
		parts := objects(t, row, "parts")
		if len(parts) != len(ids) {
			t.Fatalf("%s has %d parts, want %d", unit, len(parts), len(ids))
		}
		var points float64
		for j, p := range parts {
			id := ids[j]
			if p["instrument"] != id || p["assessed"] != true || p["final"] != finals[id][unit] {
				t.Errorf("%s part %d = %v, want %s assessed, final %v", unit, j, p, id, finals[id][unit])
			}
			share, _ := num(p, "share")
			score, _ := num(p, "score")
			pts, _ := num(p, "points")
			if math.Abs(share-1/float64(len(ids))) > 1e-9 {
				t.Errorf("%s %s share = %v", unit, id, share)
			}
			if normalized := scores[id][unit] / scaleMax[id] * 100; math.Abs(score-normalized) > 0.005 {
				t.Errorf("%s %s part score = %v, want %v", unit, id, score, normalized)
			}
			points += pts
		}
		if math.Abs(points-index) > 0.02 {
			t.Errorf("%s parts' points sum to %v, index %v", unit, points, index)
		}
		if i > 0 {
			prev, _ := num(rows[i-1], "index")
			rank, prevRank := row["rank"].(float64), rows[i-1]["rank"].(float64)
			switch {
			case index > prev:
				t.Errorf("row %d (%s) index %v above the previous %v", i, unit, index, prev)
			case index == prev && rank != prevRank:
				t.Errorf("row %d (%s) ties %v with the previous but ranks %v vs %v", i, unit, index, rank, prevRank)
			case index < prev && rank != float64(i+1):
				t.Errorf("row %d (%s) rank %v, want %d", i, unit, rank, i+1)
			}
		} else if row["rank"] != 1.0 {
			t.Errorf("first row rank = %v", row["rank"])
		}
	}
}

// TestCompositeWeightsZIOnly: weights {zi-2021: 1, the rest 0} make the index ZI's score.
func TestCompositeWeightsZIOnly(t *testing.T) {
	srv := newServer(t, web.Config{})
	admin := login(t, srv, "admin")
	bupati := login(t, srv, "bupati")
	ids := periodInstruments(t, bupati)
	_, rev := currentWeights(t, admin)
	restoreEqualWeights(t, admin)

	ws := map[string]float64{}
	for _, id := range ids {
		ws[id] = 0
	}
	ws["zi-2021"] = 1
	st, b := admin.do("PUT", "/api/v1/composite-weights", weightsBody(ws, ids, rev))
	if st != 200 || b["rev"] != float64(rev+1) || b["updated_by"] != "admin" {
		t.Fatalf("PUT weights = %d %v, want 200 with rev %d", st, b, rev+1)
	}
	got, newRev := currentWeights(t, bupati) // pimpinan may read them
	if newRev != rev+1 {
		t.Errorf("GET rev = %d, want %d", newRev, rev+1)
	}
	for _, id := range ids {
		if got[id] != ws[id] {
			t.Errorf("stored weight of %s = %v, want %v", id, got[id], ws[id])
		}
	}

	zi := rankingRows(t, bupati, "zi-2021")
	comp := bupati.mustGet(fmt.Sprintf("/api/v1/composite?period=%d", dashYear))
	for _, w := range objects(t, comp, "weights") {
		if w["weight"] != ws[w["instrument"].(string)] {
			t.Errorf("composite weights = %v", comp["weights"])
		}
	}
	rows := objects(t, comp, "rows")
	if len(rows) != len(zi) {
		t.Fatalf("%d composite rows, %d ZI rows", len(rows), len(zi))
	}
	for i, row := range rows {
		// ZI's scale is 0–100, so its normalized score is the score itself, in the same order.
		score, _ := num(zi[i], "score")
		index, _ := num(row, "index")
		if row["unit"] != zi[i]["unit"] || row["rank"] != zi[i]["rank"] || math.Abs(index-score) > 0.01 {
			t.Errorf("row %d: composite %v rank %v index %v, ZI %v rank %v score %v",
				i, row["unit"], row["rank"], index, zi[i]["unit"], zi[i]["rank"], score)
		}
		_, ziFinal := num(zi[i], "final")
		if row["final"] != ziFinal {
			t.Errorf("%v final = %v, want ZI's %v (weight-0 parts do not count)", row["unit"], row["final"], ziFinal)
		}
		for _, p := range objects(t, row, "parts") {
			share, _ := num(p, "share")
			pts, _ := num(p, "points")
			if p["instrument"] == "zi-2021" {
				if share != 1 || math.Abs(pts-score) > 0.01 {
					t.Errorf("%v zi part = %v", row["unit"], p)
				}
			} else if share != 0 || pts != 0 {
				t.Errorf("%v part %v has share %v points %v, want 0", row["unit"], p["instrument"], share, pts)
			}
		}
	}

	// The composite CSV follows the stored weights too.
	resp, body := bupati.fetch("GET", fmt.Sprintf("/ekspor/%d/peringkat.csv?instrumen=komposit", dashYear))
	recs := readCSV(t, resp, body, "peringkat-komposit")
	for i, row := range zi {
		score, _ := num(row, "score")
		if recs[1+i][1] != row["unit"] || recs[1+i][3] != id2(score) {
			t.Errorf("komposit CSV row %d = %v, want %v %s", i+1, recs[1+i][:4], row["unit"], id2(score))
		}
	}
}

// TestCompositeWeightsBadInput: invalid weights are refused with the previous ones kept; a
// stale rev is a conflict; only an admin writes.
func TestCompositeWeightsBadInput(t *testing.T) {
	srv := newServer(t, web.Config{})
	admin := login(t, srv, "admin")
	ids := periodInstruments(t, admin)
	before, rev := currentWeights(t, admin)
	restoreEqualWeights(t, admin)

	with := func(change map[string]float64) map[string]float64 {
		ws := map[string]float64{}
		for _, id := range ids {
			ws[id] = 1
		}
		for k, v := range change {
			ws[k] = v
		}
		return ws
	}
	zero := map[string]float64{}
	for _, id := range ids {
		zero[id] = 0
	}
	for _, tc := range []struct {
		name, body, mentions string
	}{
		{"negative", weightsBody(with(map[string]float64{"zi-2021": -1}), ids, rev), "negatif"},
		{"all zero", weightsBody(zero, ids, rev), "lebih dari nol"},
		{"unknown instrument", weightsBody(map[string]float64{"nope": 1, "zi-2021": 1}, []string{"zi-2021", "nope"}, rev), "nope"},
		{"duplicate instrument", fmt.Sprintf(`{"weights":[{"instrument":"zi-2021","weight":1},{"instrument":"zi-2021","weight":2}],"rev":%d}`, rev), "zi-2021"},
		{"empty list", fmt.Sprintf(`{"weights":[],"rev":%d}`, rev), "lebih dari nol"},
		{"missing rev", `{"weights":[{"instrument":"zi-2021","weight":1}]}`, "rev"},
		{"not JSON", `bobot=1`, "JSON"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			st, b := admin.do("PUT", "/api/v1/composite-weights", tc.body)
			wantError(t, st, b, 400, "invalid")
			if msg, _ := b["error"].(string); !strings.Contains(msg, tc.mentions) {
				t.Errorf("message %q does not mention %q", msg, tc.mentions)
			}
			after, afterRev := currentWeights(t, admin)
			if afterRev != rev || !reflect.DeepEqual(after, before) {
				t.Errorf("after a refused PUT: %v rev %d, want %v rev %d", after, afterRev, before, rev)
			}
		})
	}

	// Who may write: neither the bupati nor a camat, whatever the body.
	valid := weightsBody(with(nil), ids, rev)
	for _, who := range []string{"bupati", "camat.sukamaju", "inspektur"} {
		st, b := login(t, srv, who).do("PUT", "/api/v1/composite-weights", valid)
		wantError(t, st, b, 403, "forbidden")
	}
	if after, afterRev := currentWeights(t, admin); afterRev != rev || !reflect.DeepEqual(after, before) {
		t.Errorf("after refused writers: %v rev %d", after, afterRev)
	}

	// Two admins read rev; the first saves, the second's save is a conflict.
	first := with(map[string]float64{"zi-2021": 2})
	if st, b := admin.do("PUT", "/api/v1/composite-weights", weightsBody(first, ids, rev)); st != 200 || b["rev"] != float64(rev+1) {
		t.Fatalf("first save = %d %v", st, b)
	}
	st, b := admin.do("PUT", "/api/v1/composite-weights", weightsBody(with(map[string]float64{"zi-2021": 3}), ids, rev))
	wantError(t, st, b, 409, "conflict")
	if after, afterRev := currentWeights(t, admin); afterRev != rev+1 || after["zi-2021"] != 2 {
		t.Errorf("after the conflict: %v rev %d, want the first save (zi 2, rev %d)", after, afterRev, rev+1)
	}
	// A rev from the future is no better.
	st, b = admin.do("PUT", "/api/v1/composite-weights", weightsBody(first, ids, rev+7))
	wantError(t, st, b, 409, "conflict")
}

var revFieldRe = regexp.MustCompile(`name="rev" value="(\d+)"`)

// TestCompositeWeightsForm: the admin's HTML form refuses a negative weight with the
// Indonesian message and keeps the stored weights; a valid post is stored and redirects.
func TestCompositeWeightsForm(t *testing.T) {
	srv := newServer(t, web.Config{})
	admin := login(t, srv, "admin")
	ids := periodInstruments(t, admin)
	before, rev := currentWeights(t, admin)
	restoreEqualWeights(t, admin)

	p := newPage(t, srv)
	p.login("admin")
	resp, body := p.do("GET", "/admin/bobot-komposit", nil)
	if resp.StatusCode != 200 {
		t.Fatalf("form = %d", resp.StatusCode)
	}
	csrf, revField := csrfRe.FindStringSubmatch(body), revFieldRe.FindStringSubmatch(body)
	if csrf == nil || revField == nil || revField[1] != fmt.Sprint(rev) {
		t.Fatalf("form without CSRF token or rev %d (rev field %v)", rev, revField)
	}
	for _, id := range ids {
		if !strings.Contains(body, `name="w_`+id+`"`) {
			t.Errorf("form has no field for %s", id)
		}
	}
	form := func(zi string) url.Values {
		v := url.Values{"_csrf": {csrf[1]}, "rev": {revField[1]}}
		for _, id := range ids {
			v.Set("w_"+id, "1")
		}
		v.Set("w_zi-2021", zi)
		return v
	}

	resp, body = p.do("POST", "/admin/bobot-komposit", form("-1"))
	if resp.StatusCode != 400 || !strings.Contains(body, "Bobot instrumen zi-2021 tidak boleh negatif.") || !strings.Contains(body, `id="weights-error"`) {
		t.Errorf("negative weight = %d, want 400 with the message; %.400s", resp.StatusCode, body)
	}
	if !strings.Contains(body, `name="w_zi-2021" value="-1"`) {
		t.Errorf("the form does not keep what was typed")
	}
	if after, afterRev := currentWeights(t, admin); afterRev != rev || !reflect.DeepEqual(after, before) {
		t.Errorf("after a refused form: %v rev %d, want %v rev %d", after, afterRev, before, rev)
	}
	resp, body = p.do("POST", "/admin/bobot-komposit", form("banyak"))
	if resp.StatusCode != 400 || !strings.Contains(body, "harus berupa angka") {
		t.Errorf("non-numeric weight = %d", resp.StatusCode)
	}
	// Without the CSRF token the post is refused before anything is read.
	noToken := form("5")
	noToken.Del("_csrf")
	if resp, _ = p.do("POST", "/admin/bobot-komposit", noToken); resp.StatusCode != 403 {
		t.Errorf("post without CSRF = %d, want 403", resp.StatusCode)
	}
	if _, afterRev := currentWeights(t, admin); afterRev != rev {
		t.Fatalf("a refused form changed the rev to %d", afterRev)
	}

	// A decimal comma is accepted.
	resp, _ = p.do("POST", "/admin/bobot-komposit", form("2,5"))
	if resp.StatusCode != 303 || resp.Header.Get("Location") != "/admin/bobot-komposit?tersimpan=1" {
		t.Fatalf("valid post = %d → %q", resp.StatusCode, resp.Header.Get("Location"))
	}
	after, afterRev := currentWeights(t, admin)
	if afterRev != rev+1 || after["zi-2021"] != 2.5 {
		t.Errorf("stored %v rev %d, want zi 2.5 at rev %d", after, afterRev, rev+1)
	}
	for _, id := range ids {
		if id != "zi-2021" && after[id] != 1 {
			t.Errorf("stored %s = %v, want 1", id, after[id])
		}
	}
	resp, body = p.do("GET", "/admin/bobot-komposit?tersimpan=1", nil)
	if resp.StatusCode != 200 || !strings.Contains(body, "Bobot tersimpan.") || !strings.Contains(body, `name="w_zi-2021" value="2.5"`) {
		t.Errorf("form after saving = %d", resp.StatusCode)
	}
	// The old rev is now stale: 409 on the form too.
	resp, _ = p.do("POST", "/admin/bobot-komposit", form("4"))
	if resp.StatusCode != 409 {
		t.Errorf("stale form = %d, want 409", resp.StatusCode)
	}
}

// Weights too large to add up (1e308 each: the sum overflows, every share would be 0) are
// refused like any weights that would make the index meaningless.
func TestCompositeWeightsOverflowingSum(t *testing.T) {
	srv := newServer(t, web.Config{})
	admin := login(t, srv, "admin")
	ids := periodInstruments(t, admin)
	_, rev := currentWeights(t, admin)
	restoreEqualWeights(t, admin)

	huge := map[string]float64{}
	for _, id := range ids {
		huge[id] = 1e308
	}
	st, b := admin.do("PUT", "/api/v1/composite-weights", weightsBody(huge, ids, rev))
	wantError(t, st, b, 400, "invalid")
	if _, after := currentWeights(t, admin); after != rev {
		t.Errorf("rev %d after a refused PUT, want %d", after, rev)
	}
}
