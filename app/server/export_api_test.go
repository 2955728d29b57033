package server

import (
	"bytes"
	"encoding/csv"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"

	"github.com/rapor-rb/raporrb/app/web"
)

// openXLSX checks the response is an XLSX download and opens it.
func openXLSX(t *testing.T, resp *http.Response, body []byte, name string) *excelize.File {
	t.Helper()
	if resp.StatusCode != 200 {
		t.Fatalf("%s = %d %.300s", name, resp.StatusCode, body)
	}
	if ct := resp.Header.Get("Content-Type"); ct != "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet" {
		t.Errorf("%s Content-Type = %q", name, ct)
	}
	if cd := resp.Header.Get("Content-Disposition"); !strings.Contains(cd, "attachment") || !strings.Contains(cd, name) {
		t.Errorf("Content-Disposition = %q, want an attachment named %s", cd, name)
	}
	f, err := excelize.OpenReader(bytes.NewReader(body))
	if err != nil {
		t.Fatalf("reopening %s: %v", name, err)
	}
	t.Cleanup(func() { _ = f.Close() })
	return f
}

// cell reads one cell's raw value (numbers as stored, not as formatted).
func cell(t *testing.T, f *excelize.File, sheet string, col, row int) string {
	t.Helper()
	name, err := excelize.CoordinatesToCellName(col, row)
	if err != nil {
		t.Fatal(err)
	}
	v, err := f.GetCellValue(sheet, name, excelize.Options{RawCellValue: true})
	if err != nil {
		t.Fatalf("%s!%s: %v", sheet, name, err)
	}
	return v
}

// shown reads one cell as Excel displays it (number format applied).
func shown(t *testing.T, f *excelize.File, sheet string, col, row int) string {
	t.Helper()
	name, _ := excelize.CoordinatesToCellName(col, row)
	v, err := f.GetCellValue(sheet, name)
	if err != nil {
		t.Fatalf("%s!%s: %v", sheet, name, err)
	}
	return v
}

// cellFloat reads a numeric cell; ok is false for an empty cell.
func cellFloat(t *testing.T, f *excelize.File, sheet string, col, row int) (float64, bool) {
	t.Helper()
	s := cell(t, f, sheet, col, row)
	if s == "" {
		return 0, false
	}
	x, err := strconv.ParseFloat(s, 64)
	if err != nil {
		t.Errorf("%s col %d row %d = %q, not a number", sheet, col, row, s)
	}
	return x, true
}

// readCSV checks the response is a UTF-8 CSV with a BOM and parses it.
func readCSV(t *testing.T, resp *http.Response, body []byte, name string) [][]string {
	t.Helper()
	return readCSVWith(t, resp, body, name, ';')
}

// readCSVWith reads a CSV download with the given field separator.
func readCSVWith(t *testing.T, resp *http.Response, body []byte, name string, comma rune) [][]string {
	t.Helper()
	if resp.StatusCode != 200 {
		t.Fatalf("%s = %d %.300s", name, resp.StatusCode, body)
	}
	if ct := resp.Header.Get("Content-Type"); !strings.HasPrefix(ct, "text/csv") || !strings.Contains(ct, "utf-8") {
		t.Errorf("%s Content-Type = %q", name, ct)
	}
	if cd := resp.Header.Get("Content-Disposition"); !strings.Contains(cd, name) {
		t.Errorf("%s Content-Disposition = %q", name, cd)
	}
	rest, ok := bytes.CutPrefix(body, []byte("\uFEFF"))
	if !ok {
		t.Fatalf("%s does not start with a UTF-8 BOM: % x", name, body[:min(8, len(body))])
	}
	r := csv.NewReader(bytes.NewReader(rest))
	r.Comma = comma
	r.FieldsPerRecord = -1
	recs, err := r.ReadAll()
	if err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	return recs
}

// TestExportRankingsMatchAPI: the XLSX of every ranking and the CSV of ZI and of the composite
// index hold exactly the numbers of the JSON API, in the API's order.
func TestExportRankingsMatchAPI(t *testing.T) {
	srv := newServer(t, web.Config{})
	c := login(t, srv, "bupati")
	ids := periodInstruments(t, c)
	comp := c.mustGet(fmt.Sprintf("/api/v1/composite?period=%d", dashYear))
	compRows := objects(t, comp, "rows")
	rankings := map[string][]map[string]any{}
	for _, id := range ids {
		rankings[id] = rankingRows(t, c, id)
	}

	resp, body := c.fetch("GET", fmt.Sprintf("/ekspor/%d/peringkat.xlsx", dashYear))
	f := openXLSX(t, resp, body, fmt.Sprintf("peringkat-%d.xlsx", dashYear))
	// Sheets are named as people name the instruments (at most 31 characters), not by id.
	sheet := map[string]string{}
	want := []string{"Indeks komposit"}
	for _, id := range ids {
		inst, _ := catalog.Get(id)
		sheet[id] = inst.ShortName()
		want = append(want, sheet[id])
	}
	if got := f.GetSheetList(); !slices.Equal(got, want) {
		t.Fatalf("sheets = %v, want %v", got, want)
	}

	for _, id := range ids {
		inst, _ := catalog.Get(id)
		if got, want := cell(t, f, sheet[id], 1, 1), fmt.Sprintf("Peringkat %s %d", inst.Title, dashYear); got != want {
			t.Errorf("%s title = %q, want %q", id, got, want)
		}
		if got := cell(t, f, sheet[id], 1, 2); !strings.HasPrefix(got, fmt.Sprintf("Periode %d", dashYear)) {
			t.Errorf("%s caption = %q", id, got)
		}
		for col, h := range []string{"Peringkat", "Kode", "Kecamatan", "Nilai", "Nilai akhir", "Nilai mandiri"} {
			if got := cell(t, f, sheet[id], col+1, 3); got != h {
				t.Errorf("%s header column %d = %q, want %q", id, col+1, got, h)
			}
		}
		finals := 0
		for i, row := range rankings[id] {
			r := 4 + i
			if got, want := cell(t, f, sheet[id], 1, r), fmt.Sprint(row["rank"]); got != want {
				t.Errorf("%s row %d rank = %q, API %s", id, r, got, want)
			}
			if got := cell(t, f, sheet[id], 2, r); got != row["unit"] {
				t.Errorf("%s row %d unit = %q, API %v", id, r, got, row["unit"])
			}
			if got := cell(t, f, sheet[id], 3, r); got != row["name"] {
				t.Errorf("%s row %d name = %q, API %v", id, r, got, row["name"])
			}
			score, _ := num(row, "score")
			if got, ok := cellFloat(t, f, sheet[id], 4, r); !ok || got != score {
				t.Errorf("%s row %d (%v) score = %v (present %v), API %v", id, r, row["unit"], got, ok, score)
			}
			if got := shown(t, f, sheet[id], 4, r); got != fmt2(score) {
				t.Errorf("%s row %d score shown as %q, want %q (2 decimals)", id, r, got, fmt2(score))
			}
			final, isFinal := num(row, "final")
			got, ok := cellFloat(t, f, sheet[id], 5, r)
			if ok != isFinal || got != final {
				t.Errorf("%s row %d (%v) final = %v (present %v), API %v", id, r, row["unit"], got, ok, row["final"])
			}
			if isFinal {
				finals++
			}
			self, _ := num(row, "self")
			if got, ok := cellFloat(t, f, sheet[id], 6, r); !ok || got != self {
				t.Errorf("%s row %d (%v) self = %v, API %v", id, r, row["unit"], got, self)
			}
		}
		if finals == 0 {
			t.Errorf("%s: no final row, so the final column was not really compared", id)
		}
		if extra := cell(t, f, sheet[id], 2, 4+len(rankings[id])); extra != "" {
			t.Errorf("%s has a row after the API's last: %q", id, extra)
		}
	}

	// The composite sheet.
	for col, h := range []string{"Peringkat", "Kode", "Kecamatan", "Indeks komposit", "Semua final"} {
		if got := cell(t, f, "Indeks komposit", col+1, 3); got != h {
			t.Errorf("komposit header column %d = %q, want %q", col+1, got, h)
		}
	}
	if len(compRows) != demoRes.Units-1 {
		t.Fatalf("composite has %d rows", len(compRows))
	}
	for i, row := range compRows {
		r := 4 + i
		if got, want := cell(t, f, "Indeks komposit", 1, r), fmt.Sprint(row["rank"]); got != want {
			t.Errorf("komposit row %d rank = %q, API %s", r, got, want)
		}
		if got := cell(t, f, "Indeks komposit", 2, r); got != row["unit"] {
			t.Errorf("komposit row %d unit = %q, API %v", r, got, row["unit"])
		}
		index, _ := num(row, "index")
		if got, ok := cellFloat(t, f, "Indeks komposit", 4, r); !ok || got != index {
			t.Errorf("komposit row %d index = %v, API %v", r, got, index)
		}
		if got, want := cell(t, f, "Indeks komposit", 5, r), map[bool]string{true: "Ya", false: "Tidak"}[row["final"] == true]; got != want {
			t.Errorf("komposit row %d all-final = %q, want %q", r, got, want)
		}
		for j, p := range objects(t, row, "parts") {
			score, _ := num(p, "score")
			points, _ := num(p, "points")
			if got, ok := cellFloat(t, f, "Indeks komposit", 6+2*j, r); !ok || got != score {
				t.Errorf("komposit row %d %v score = %v, API %v", r, p["instrument"], got, score)
			}
			if got, ok := cellFloat(t, f, "Indeks komposit", 7+2*j, r); !ok || got != points {
				t.Errorf("komposit row %d %v points = %v, API %v", r, p["instrument"], got, points)
			}
		}
	}

	// CSV of ZI, in the Indonesian dialect (';' and decimal comma) by default.
	resp, body = c.fetch("GET", fmt.Sprintf("/ekspor/%d/peringkat.csv?instrumen=zi-2021", dashYear))
	recs := readCSV(t, resp, body, fmt.Sprintf("peringkat-zi-2021-%d.csv", dashYear))
	zi := rankings["zi-2021"]
	if len(recs) != 1+len(zi) {
		t.Fatalf("zi CSV has %d records, want header + %d", len(recs), len(zi))
	}
	if want := []string{"Peringkat", "Kode", "Kecamatan", "Nilai", "Nilai akhir", "Nilai mandiri"}; !slices.Equal(recs[0][:6], want) {
		t.Errorf("zi CSV header = %v", recs[0])
	}
	for i, row := range zi {
		rec := recs[1+i]
		final := ""
		if x, ok := num(row, "final"); ok {
			final = id2(x)
		}
		score, _ := num(row, "score")
		self, _ := num(row, "self")
		want := []string{fmt.Sprint(row["rank"]), row["unit"].(string), row["name"].(string), id2(score), final, id2(self)}
		if !slices.Equal(rec[:6], want) {
			t.Errorf("zi CSV row %d = %v, API %v", i+1, rec[:6], want)
		}
	}

	// The comma CSV, on request: ',' and decimal points.
	resp, body = c.fetch("GET", fmt.Sprintf("/ekspor/%d/peringkat.csv?instrumen=zi-2021&pemisah=koma", dashYear))
	commaRecs := readCSVWith(t, resp, body, fmt.Sprintf("peringkat-zi-2021-%d.csv", dashYear), ',')
	for i, row := range zi {
		score, _ := num(row, "score")
		if commaRecs[1+i][1] != row["unit"] || commaRecs[1+i][3] != fmt2(score) {
			t.Errorf("comma CSV row %d = %v, want %v %s", i+1, commaRecs[1+i][:4], row["unit"], fmt2(score))
		}
	}

	// CSV of the composite index.
	resp, body = c.fetch("GET", fmt.Sprintf("/ekspor/%d/peringkat.csv?instrumen=komposit", dashYear))
	recs = readCSV(t, resp, body, fmt.Sprintf("peringkat-komposit-%d.csv", dashYear))
	if len(recs) != 1+len(compRows) {
		t.Fatalf("komposit CSV has %d records, want header + %d", len(recs), len(compRows))
	}
	wantHeader := []string{"Peringkat", "Kode", "Kecamatan", "Indeks komposit", "Semua final"}
	for _, id := range ids {
		wantHeader = append(wantHeader, sheet[id]+" (0–100)", sheet[id]+" (sumbangan)")
	}
	if !slices.Equal(recs[0], wantHeader) {
		t.Errorf("komposit CSV header = %v, want %v", recs[0], wantHeader)
	}
	for i, row := range compRows {
		index, _ := num(row, "index")
		want := []string{fmt.Sprint(row["rank"]), row["unit"].(string), row["name"].(string), id2(index),
			map[bool]string{true: "Ya", false: "Tidak"}[row["final"] == true]}
		for _, p := range objects(t, row, "parts") {
			score, _ := num(p, "score")
			points, _ := num(p, "points")
			want = append(want, id2(score), id2(points))
		}
		if !slices.Equal(recs[1+i], want) {
			t.Errorf("komposit CSV row %d = %v, API %v", i+1, recs[1+i], want)
		}
	}

	// Bad CSV requests.
	for _, tc := range []struct {
		path   string
		status int
	}{
		{fmt.Sprintf("/ekspor/%d/peringkat.csv", dashYear), 400},
		{fmt.Sprintf("/ekspor/%d/peringkat.csv?instrumen=nope", dashYear), 404},
		{fmt.Sprintf("/ekspor/%d/peringkat.csv?instrumen=zi-2021&pemisah=tab", dashYear), 400},
		{"/ekspor/2030/peringkat.csv?instrumen=zi-2021", 404},
		{"/ekspor/2030/peringkat.xlsx", 404},
	} {
		if resp, _ := c.fetch("GET", tc.path); resp.StatusCode != tc.status {
			t.Errorf("GET %s = %d, want %d", tc.path, resp.StatusCode, tc.status)
		}
	}
}

// TestExportLKERekapMatchesAssessment: one final unit's LKE workbook reopens, and its Rekap
// sheet carries the API assessment's totals, area scores and predicates.
func TestExportLKERekapMatchesAssessment(t *testing.T) {
	srv := newServer(t, web.Config{})
	c := login(t, srv, "bupati")
	const unit = "tanjungsari" // final in 2026 (WBBM)
	a := c.mustGet(fmt.Sprintf("/api/v1/assessments/%d/zi-2021/%s", dashYear, unit))
	final, ok := a["final"].(map[string]any)
	if a["status"] != "final" || !ok {
		t.Fatalf("%s is %v with final %v, want a final assessment", unit, a["status"], a["final"])
	}
	self := a["self"].(map[string]any)
	finalTotal, _ := num(final, "total")
	selfTotal, _ := num(self, "total")

	resp, body := c.fetch("GET", fmt.Sprintf("/ekspor/%d/zi-2021/%s/lke.xlsx", dashYear, unit))
	f := openXLSX(t, resp, body, fmt.Sprintf("lke-zi-2021-%s-%d.xlsx", unit, dashYear))
	// A final sheet carries its evaluation report (LHE) as a third sheet.
	if got := f.GetSheetList(); !slices.Equal(got, []string{"LKE", "Rekap", "LHE"}) {
		t.Fatalf("sheets = %v, want [LKE Rekap LHE]", got)
	}
	// The information block of the LKE sheet: "Nilai mandiri" on row 7, "Nilai akhir" on row 8.
	if cell(t, f, "LKE", 1, 7) != "Nilai mandiri" || cell(t, f, "LKE", 1, 8) != "Nilai akhir" {
		t.Errorf("LKE info labels = %q / %q", cell(t, f, "LKE", 1, 7), cell(t, f, "LKE", 1, 8))
	}
	if got, _ := cellFloat(t, f, "LKE", 2, 8); got != finalTotal {
		t.Errorf("LKE final total = %v, API %v", got, finalTotal)
	}

	const sheet = "Rekap"
	if got := cell(t, f, sheet, 4, 4); got != "Nilai mandiri" {
		t.Errorf("Rekap header D4 = %q", got)
	}
	totalRow := 0
	selfNodes, finalNodes := self["nodes"].(map[string]any), final["nodes"].(map[string]any)
	areas := 0
	for r := 5; r < 200; r++ {
		code := cell(t, f, sheet, 1, r)
		if code == "Total" {
			totalRow = r
			break
		}
		if code == "" {
			continue
		}
		areas++
		ws, okS := selfNodes[code].(float64)
		wf, okF := finalNodes[code].(float64)
		if !okS || !okF {
			t.Errorf("Rekap row %d: area %q not in the API's nodes", r, code)
			continue
		}
		if got, _ := cellFloat(t, f, sheet, 4, r); got != ws {
			t.Errorf("Rekap %s self = %v, API %v", code, got, ws)
		}
		if got, _ := cellFloat(t, f, sheet, 6, r); got != wf {
			t.Errorf("Rekap %s final = %v, API %v", code, got, wf)
		}
	}
	if totalRow == 0 {
		t.Fatal("no Total row on the Rekap sheet")
	}
	if areas < 3 {
		t.Errorf("Rekap lists only %d areas", areas)
	}
	if got, ok := cellFloat(t, f, sheet, 6, totalRow); !ok || got != finalTotal {
		t.Errorf("Rekap final total = %v (present %v), API final.total %v", got, ok, finalTotal)
	}
	if got, _ := cellFloat(t, f, sheet, 4, totalRow); got != selfTotal {
		t.Errorf("Rekap self total = %v, API self.total %v", got, selfTotal)
	}
	if got, _ := cellFloat(t, f, sheet, 3, totalRow); got != 100 {
		t.Errorf("Rekap total points = %v, want ZI's scale_max 100", got)
	}
	// Predicate rows follow the grade row: WBK and WBBM as Ya/Tidak of the final snapshot.
	preds := final["predicates"].(map[string]any)
	found := 0
	for r := totalRow + 1; r < totalRow+6; r++ {
		key := cell(t, f, sheet, 1, r)
		want, ok := preds[key].(bool)
		if !ok {
			continue
		}
		found++
		if got := cell(t, f, sheet, 6, r); got != map[bool]string{true: "Ya", false: "Tidak"}[want] {
			t.Errorf("Rekap %s final = %q, API %v", key, got, want)
		}
	}
	if found != 2 {
		t.Errorf("Rekap shows %d predicate rows, want WBK and WBBM", found)
	}
}
