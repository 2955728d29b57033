package export

import (
	"bytes"
	"encoding/csv"
	"math"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"
	"unicode/utf16"

	"github.com/xuri/excelize/v2"

	"github.com/rapor-rb/raporrb/app/assessment"
	"github.com/rapor-rb/raporrb/app/instrument"
	"github.com/rapor-rb/raporrb/seed/instruments"
)

// catalog is the embedded catalog, the sheets the application ships with.
var catalog = func() *instrument.Catalog {
	c, err := instrument.LoadFS(instruments.FS)
	if err != nil {
		panic(err)
	}
	return c
}()

func sheetOf(t *testing.T, id string) *instrument.Instrument {
	t.Helper()
	in, ok := catalog.Get(id)
	if !ok {
		t.Fatalf("instrument %s not in the embedded catalog", id)
	}
	return in
}

func ptr(f float64) *float64 { return &f }

func open(t *testing.T, data []byte) *excelize.File {
	t.Helper()
	f, err := excelize.OpenReader(bytes.NewReader(data))
	if err != nil {
		t.Fatalf("OpenReader: %v", err)
	}
	t.Cleanup(func() { _ = f.Close() })
	return f
}

// cellAt returns the formatted and the raw value of a cell.
func cellAt(t *testing.T, f *excelize.File, sheet, cell string) (shown, raw string) {
	t.Helper()
	shown, err := f.GetCellValue(sheet, cell)
	if err != nil {
		t.Fatalf("GetCellValue(%s!%s): %v", sheet, cell, err)
	}
	raw, err = f.GetCellValue(sheet, cell, excelize.Options{RawCellValue: true})
	if err != nil {
		t.Fatalf("GetCellValue(%s!%s, raw): %v", sheet, cell, err)
	}
	return shown, raw
}

// number reads a cell that must hold a number.
func number(t *testing.T, f *excelize.File, sheet, cell string) float64 {
	t.Helper()
	typ, err := f.GetCellType(sheet, cell)
	if err != nil {
		t.Fatalf("GetCellType(%s!%s): %v", sheet, cell, err)
	}
	if typ != excelize.CellTypeUnset && typ != excelize.CellTypeNumber {
		t.Fatalf("%s!%s has cell type %v, want a number", sheet, cell, typ)
	}
	_, raw := cellAt(t, f, sheet, cell)
	x, err := strconv.ParseFloat(raw, 64)
	if err != nil {
		t.Fatalf("%s!%s = %q, want a number", sheet, cell, raw)
	}
	return x
}

// textCell reads a cell that must hold text (or nothing, when want is "").
func textCell(t *testing.T, f *excelize.File, sheet, cell, want string) {
	t.Helper()
	shown, _ := cellAt(t, f, sheet, cell)
	if shown != want {
		t.Errorf("%s!%s = %q, want %q", sheet, cell, shown, want)
	}
	if want == "" {
		return
	}
	typ, err := f.GetCellType(sheet, cell)
	if err != nil {
		t.Fatal(err)
	}
	if typ != excelize.CellTypeSharedString && typ != excelize.CellTypeInlineString {
		t.Errorf("%s!%s has cell type %v, want text", sheet, cell, typ)
	}
}

var ranking = Table{
	Name:    "Peringkat",
	Title:   "Peringkat Kecamatan — Zona Integritas",
	Caption: "Periode 2026 · dicetak 23-11-2026 · data contoh",
	Header:  []string{"No", "Kecamatan", "Nilai mandiri", "Nilai akhir", "WBK"},
	Rows: [][]any{
		{1, "Sukamaju", 82.456, ptr(80), true},
		{2, "Cibeber", 70.1, (*float64)(nil), false},
		{3, "Kec. yang namanya cukup panjang untuk melebarkan kolom", 0.005, nil, nil},
	},
}

var composite = Table{
	Name:   "Indeks komposit",
	Title:  "Indeks Komposit RB",
	Header: []string{"Kecamatan", "Indeks"},
	Rows:   [][]any{{"Sukamaju", 3.14159}},
}

func TestWriteXLSX(t *testing.T) {
	var buf bytes.Buffer
	if err := WriteXLSX(&buf, ranking, composite); err != nil {
		t.Fatalf("WriteXLSX: %v", err)
	}
	f := open(t, buf.Bytes())

	if got, want := f.GetSheetList(), []string{"Peringkat", "Indeks komposit"}; !slices.Equal(got, want) {
		t.Fatalf("sheets = %q, want %q", got, want)
	}
	const s = "Peringkat"
	textCell(t, f, s, "A1", ranking.Title)
	textCell(t, f, s, "A2", ranking.Caption)
	for i, h := range ranking.Header {
		cell, _ := excelize.CoordinatesToCellName(i+1, 3)
		textCell(t, f, s, cell, h)
	}
	for _, tt := range []struct {
		cell string
		want float64
		show string
	}{
		{"A4", 1, "1"}, {"C4", 82.456, "82.46"}, {"D4", 80, "80.00"},
		{"A5", 2, "2"}, {"C5", 70.1, "70.10"}, {"C6", 0.005, "0.01"},
	} {
		if got := number(t, f, s, tt.cell); got != tt.want {
			t.Errorf("%s = %v, want %v", tt.cell, got, tt.want)
		}
		if shown, _ := cellAt(t, f, s, tt.cell); shown != tt.show {
			t.Errorf("%s shows %q, want %q", tt.cell, shown, tt.show)
		}
	}
	textCell(t, f, s, "B4", "Sukamaju")
	textCell(t, f, s, "E4", "Ya")
	textCell(t, f, s, "E5", "Tidak")
	textCell(t, f, s, "D5", "") // nil *float64
	textCell(t, f, s, "D6", "") // nil
	textCell(t, f, s, "E6", "") // nil

	panes, err := f.GetPanes(s)
	if err != nil {
		t.Fatal(err)
	}
	if !panes.Freeze || panes.YSplit != 3 || panes.TopLeftCell != "A4" {
		t.Errorf("panes = %+v, want frozen below row 3", panes)
	}
	if w, err := f.GetColWidth(s, "B"); err != nil || w < 40 || w > maxColWidth {
		t.Errorf("width of B = %v (%v), want fitted to its longest name", w, err)
	}
	if w, err := f.GetColWidth(s, "A"); err != nil || w > 10 {
		t.Errorf("width of A = %v (%v), want narrow", w, err)
	}
	var filtered bool
	for _, dn := range f.GetDefinedName() {
		if dn.Name == "_xlnm._FilterDatabase" && strings.Contains(dn.RefersTo, "$A$3:$E$6") {
			filtered = true
		}
	}
	if !filtered {
		t.Errorf("no autofilter on A3:E6; defined names: %+v", f.GetDefinedName())
	}

	textCell(t, f, "Indeks komposit", "A1", composite.Title)
	textCell(t, f, "Indeks komposit", "A2", "")
	textCell(t, f, "Indeks komposit", "B3", "Indeks")
	if got := number(t, f, "Indeks komposit", "B4"); got != 3.14159 {
		t.Errorf("Indeks komposit!B4 = %v, want 3.14159", got)
	}
	if panes, err := f.GetPanes("Indeks komposit"); err != nil || !panes.Freeze {
		t.Errorf("Indeks komposit panes = %+v (%v), want frozen", panes, err)
	}
}

func TestWriteXLSXErrors(t *testing.T) {
	var buf bytes.Buffer
	if err := WriteXLSX(&buf); err == nil {
		t.Error("WriteXLSX() without tables: no error")
	}
	bad := Table{Name: "x", Header: []string{"a"}, Rows: [][]any{{struct{}{}}}}
	err := WriteXLSX(&buf, bad)
	if err == nil || !strings.HasPrefix(err.Error(), "export: ") || !strings.Contains(err.Error(), "row 1, column 1") {
		t.Errorf("WriteXLSX(unsupported cell) = %v, want an export error naming the cell", err)
	}
	if err := WriteCSV(&buf, bad, CSVIndonesian); err == nil {
		t.Error("WriteCSV(unsupported cell): no error")
	}
}

// Both dialects: the Indonesian default (';' and decimal comma, what Excel in Indonesian opens
// in columns) and the comma alternative (',' and decimal point). Decimals round half away from
// zero on their exact value: 2.425 is 2,43.
func TestWriteCSV(t *testing.T) {
	tab := ranking
	tab.Rows = append(slices.Clone(ranking.Rows),
		[]any{4, "=HYPERLINK(\"http://x\")", -1.5, "-", "-3.25"},
		[]any{5, "Koma, \"kutip\"\nbaris; titik koma", int64(7), float32(0.5), "+62 812"},
		[]any{6, "Setengah", 2.425, 74.995, "-3,25"},
	)
	for _, tt := range []struct {
		name   string
		format CSVFormat
		want   [][]string
	}{
		{"indonesian", CSVIndonesian, [][]string{
			{"No", "Kecamatan", "Nilai mandiri", "Nilai akhir", "WBK"},
			{"1", "Sukamaju", "82,46", "80,00", "Ya"},
			{"2", "Cibeber", "70,10", "", "Tidak"},
			{"3", "Kec. yang namanya cukup panjang untuk melebarkan kolom", "0,01", "", ""},
			{"4", "'=HYPERLINK(\"http://x\")", "-1,50", "-", "-3.25"},
			{"5", "Koma, \"kutip\"\nbaris; titik koma", "7", "0,50", "'+62 812"},
			{"6", "Setengah", "2,43", "75,00", "-3,25"},
		}},
		{"comma", CSVComma, [][]string{
			{"No", "Kecamatan", "Nilai mandiri", "Nilai akhir", "WBK"},
			{"1", "Sukamaju", "82.46", "80.00", "Ya"},
			{"2", "Cibeber", "70.10", "", "Tidak"},
			{"3", "Kec. yang namanya cukup panjang untuk melebarkan kolom", "0.01", "", ""},
			{"4", "'=HYPERLINK(\"http://x\")", "-1.50", "-", "-3.25"},
			{"5", "Koma, \"kutip\"\nbaris; titik koma", "7", "0.50", "'+62 812"},
			{"6", "Setengah", "2.43", "75.00", "-3,25"},
		}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			var buf bytes.Buffer
			if err := WriteCSV(&buf, tab, tt.format); err != nil {
				t.Fatalf("WriteCSV: %v", err)
			}
			data, ok := bytes.CutPrefix(buf.Bytes(), []byte("\xEF\xBB\xBF"))
			if !ok {
				t.Fatalf("no UTF-8 byte order mark: % x", buf.Bytes()[:min(3, buf.Len())])
			}
			r := csv.NewReader(bytes.NewReader(data))
			r.Comma = tt.format.Comma
			got, err := r.ReadAll()
			if err != nil {
				t.Fatalf("read back: %v", err)
			}
			if len(got) != len(tt.want) {
				t.Fatalf("read %d records, want %d: %q", len(got), len(tt.want), got)
			}
			for i := range tt.want {
				if !slices.Equal(got[i], tt.want[i]) {
					t.Errorf("record %d = %q, want %q", i, got[i], tt.want[i])
				}
			}
			if bytes.Contains(data, []byte(ranking.Title)) {
				t.Error("the title is written to the CSV")
			}
		})
	}
}

func TestSheetNameSanitized(t *testing.T) {
	long := "Peringkat kecamatan berdasarkan indeks komposit 2026"
	tables := []Table{
		{Name: long},
		{Name: `a[b]:c*d?e/f\g`},
		{Name: ""},
		{Name: "Peringkat"},
		{Name: "PERINGKAT"},
		{Name: "History"},
		{Name: "'Jum'at'"},
		{Name: strings.Repeat("😀", 20)},
		{Name: long},
	}
	var buf bytes.Buffer
	if err := WriteXLSX(&buf, tables...); err != nil {
		t.Fatalf("WriteXLSX: %v", err)
	}
	got := open(t, buf.Bytes()).GetSheetList()
	want := []string{
		"Peringkat kecamatan berdasarkan",
		"a-b--c-d-e-f-g",
		"Lembar 3",
		"Peringkat",
		"PERINGKAT (2)",
		"History (2)",
		"’Jum’at’",
		strings.Repeat("😀", 15),
		"Peringkat kecamatan berdasa (2)",
	}
	if !slices.Equal(got, want) {
		t.Errorf("sheets =\n%q\nwant\n%q", got, want)
	}
	for _, name := range got {
		if n := len(utf16.Encode([]rune(name))); n > maxSheetName {
			t.Errorf("%q is %d UTF-16 units long", name, n)
		}
		if strings.ContainsAny(name, `[]:*?/\'`) {
			t.Errorf("%q keeps a forbidden character", name)
		}
	}
}

// lkeFixture is a ZI sheet: every indicator answered with its best answer by the unit, the
// evaluator agreeing except on a few, notes, evidence and comments on the first indicators.
type lkeFixture struct {
	inst  *instrument.Instrument
	a     *assessment.Assessment
	sheet *assessment.Sheet
	first instrument.Indicator // answered with a note, evidence, review and comment
	ret   instrument.Indicator // returned by the evaluator
	num   instrument.Indicator // answered with a number
}

func bestOf(s instrument.Scale) (string, *float64) {
	switch s.Kind {
	case instrument.KindChoice:
		best := s.Options[0]
		for _, o := range s.Options {
			if o.Value > best.Value {
				best = o
			}
		}
		return best.Key, nil
	case instrument.KindPercent:
		return "", ptr(100)
	}
	return "", ptr(*s.Max)
}

func worstOf(s instrument.Scale) (string, *float64) {
	switch s.Kind {
	case instrument.KindChoice:
		worst := s.Options[0]
		for _, o := range s.Options {
			if o.Value < worst.Value {
				worst = o
			}
		}
		return worst.Key, nil
	case instrument.KindPercent:
		return "", ptr(0)
	}
	return "", ptr(*s.Min)
}

func newLKEFixture(t *testing.T, status assessment.Status, reviewed bool) lkeFixture {
	t.Helper()
	inst := sheetOf(t, "zi-2021")
	inds := inst.Indicators()
	fx := lkeFixture{inst: inst, first: inds[0], ret: inds[2]}
	for _, ind := range inds {
		if inst.Scales[ind.Scale].Kind != instrument.KindChoice {
			fx.num = ind
			break
		}
	}
	if fx.num.Code == "" {
		t.Fatal("zi-2021 has no numeric indicator")
	}
	at := time.Date(2026, 11, 20, 9, 0, 0, 0, time.UTC)
	sh := &assessment.Sheet{ID: assessment.ID(2026, inst.ID, "sukamaju")}
	for i, ind := range inds {
		s := inst.Scales[ind.Scale]
		option, v := bestOf(s)
		ans := assessment.Answer{Indicator: ind.Code, Self: &assessment.Response{Option: option, Value: v, By: "operator", At: at}}
		if reviewed {
			rv := &assessment.Review{Option: option, Value: v, Verdict: assessment.VerdictOK, By: "evaluator", At: at}
			if i%7 == 2 {
				rv.Option, rv.Value = worstOf(s)
				rv.Verdict = assessment.VerdictReturned
				rv.Comment = "Bukti belum sesuai"
			}
			ans.Review = rv
		}
		sh.Answers = append(sh.Answers, ans)
	}
	first := sh.Answer(fx.first.Code)
	first.Self.Note = "SK ditandatangani camat"
	first.Evidence = []assessment.Evidence{
		{ID: "e1", Kind: "file", Name: "SK Tim ZI.pdf", By: "operator", At: at},
		{ID: "e2", Kind: "link", Name: "Berita", URL: "https://sukamaju.example.go.id/zi", By: "operator", At: at},
	}
	if reviewed {
		first.Review.Comment = "Sudah lengkap"
	}
	a := &assessment.Assessment{ID: sh.ID, Period: 2026, Instrument: inst.ID, Unit: "sukamaju", Flow: assessment.Flow{Status: status}}
	if err := assessment.Rescore(inst, a, sh, nil); err != nil {
		t.Fatalf("Rescore: %v", err)
	}
	fx.a, fx.sheet = a, sh
	return fx
}

func writeLKE(t *testing.T, fx lkeFixture) *excelize.File {
	t.Helper()
	info := SheetInfo{UnitName: "Kecamatan Sukamaju", Year: 2026, Status: fx.a.Status.Label(),
		Generated: time.Date(2026, 11, 23, 10, 30, 0, 0, time.UTC)}
	var buf bytes.Buffer
	if err := WriteLKE(&buf, fx.inst, fx.a, fx.sheet, info); err != nil {
		t.Fatalf("WriteLKE: %v", err)
	}
	return open(t, buf.Bytes())
}

// rowsByCode maps the codes of column A of a sheet to their 1-based row, failing on a repeat.
func rowsByCode(t *testing.T, f *excelize.File, sheet string) map[string]int {
	t.Helper()
	rows, err := f.GetRows(sheet)
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]int{}
	for i, r := range rows {
		if len(r) == 0 || r[0] == "" {
			continue
		}
		if prev, ok := out[r[0]]; ok {
			t.Errorf("%s: %q on rows %d and %d", sheet, r[0], prev, i+1)
		}
		out[r[0]] = i + 1
	}
	return out
}

// near compares numbers that Excel keeps to 15 significant digits.
func near(a, b float64) bool { return math.Abs(a-b) <= 1e-12*math.Max(1, math.Abs(b)) }

func cell(col string, row int) string { return col + strconv.Itoa(row) }

func TestWriteLKE(t *testing.T) {
	fx := newLKEFixture(t, assessment.Final, true)
	if fx.a.Final == nil || fx.a.Final.Total == fx.a.Self.Total {
		t.Fatalf("fixture: want a final snapshot that differs from self, got self %v final %+v", fx.a.Self.Total, fx.a.Final)
	}
	f := writeLKE(t, fx)
	// A final sheet carries its evaluation report (LHE) as a third sheet.
	if got, want := f.GetSheetList(), []string{"LKE", "Rekap", "LHE"}; !slices.Equal(got, want) {
		t.Fatalf("sheets = %q, want %q", got, want)
	}

	textCell(t, f, "LKE", "A1", fx.inst.Title)
	textCell(t, f, "LKE", "B3", "Kecamatan Sukamaju")
	if got := number(t, f, "LKE", "B4"); got != 2026 {
		t.Errorf("Tahun = %v", got)
	}
	textCell(t, f, "LKE", "B5", "Final")
	textCell(t, f, "LKE", "B6", "23-11-2026 10:30")
	if got := number(t, f, "LKE", "B7"); got != fx.a.Self.Total {
		t.Errorf("Nilai mandiri = %v, want %v", got, fx.a.Self.Total)
	}
	if got := number(t, f, "LKE", "B8"); got != fx.a.Final.Total {
		t.Errorf("Nilai akhir = %v, want %v", got, fx.a.Final.Total)
	}
	for i, c := range lkeColumns {
		name, _ := excelize.CoordinatesToCellName(i+1, lkeHeaderRow)
		textCell(t, f, "LKE", name, c.title)
	}
	if panes, err := f.GetPanes("LKE"); err != nil || !panes.Freeze || panes.YSplit != lkeHeaderRow {
		t.Errorf("LKE panes = %+v (%v), want frozen below the header", panes, err)
	}

	rows := rowsByCode(t, f, "LKE")
	for _, ind := range fx.inst.Indicators() {
		if _, ok := rows[ind.Code]; !ok {
			t.Errorf("indicator %s missing from LKE", ind.Code)
		}
	}
	fx.inst.Walk(func(area *instrument.Area, _ int) {
		r, ok := rows[area.Code]
		if !ok {
			t.Errorf("area %s missing from LKE", area.Code)
			return
		}
		if got := number(t, f, "LKE", cell("C", r)); !near(got, fx.inst.Points(area)) {
			t.Errorf("Bobot %s = %v, want %v", area.Code, got, fx.inst.Points(area))
		}
		if got := number(t, f, "LKE", cell("F", r)); got != fx.a.Self.Node(area.Code) {
			t.Errorf("Nilai mandiri %s = %v, want %v", area.Code, got, fx.a.Self.Node(area.Code))
		}
		if got := number(t, f, "LKE", cell("J", r)); got != fx.a.Final.Node(area.Code) {
			t.Errorf("Nilai akhir %s = %v, want %v", area.Code, got, fx.a.Final.Node(area.Code))
		}
		if ind := area.Indicators; len(ind) > 0 && rows[ind[0].Code] != r+1 {
			t.Errorf("first indicator of %s on row %d, want %d", area.Code, rows[ind[0].Code], r+1)
		}
	})

	first := fx.sheet.Answer(fx.first.Code)
	r := rows[fx.first.Code]
	textCell(t, f, "LKE", cell("B", r), fx.first.Text)
	// The options with the LKE's criterion of each, one per line.
	var want []string
	for _, c := range fx.inst.Choices(fx.first.Code) {
		want = append(want, c.Key+": "+c.Text)
	}
	if len(want) < 2 {
		t.Fatalf("fixture: %s has no criteria", fx.first.Code)
	}
	textCell(t, f, "LKE", cell("D", r), strings.Join(want, "\n"))
	textCell(t, f, "LKE", cell("E", r), first.Self.Option)
	textCell(t, f, "LKE", cell("G", r), "SK ditandatangani camat")
	textCell(t, f, "LKE", cell("H", r), "SK Tim ZI.pdf; Berita (https://sukamaju.example.go.id/zi)")
	textCell(t, f, "LKE", cell("I", r), first.Review.Option)
	textCell(t, f, "LKE", cell("K", r), "Sudah lengkap")
	textCell(t, f, "LKE", cell("L", r), "Sesuai")

	ret := fx.sheet.Answer(fx.ret.Code)
	r = rows[fx.ret.Code]
	textCell(t, f, "LKE", cell("L", r), "Dikembalikan")
	textCell(t, f, "LKE", cell("K", r), "Bukti belum sesuai")
	textCell(t, f, "LKE", cell("H", r), "")
	if ret.Review.Option != "" {
		textCell(t, f, "LKE", cell("I", r), ret.Review.Option)
	}

	num := fx.sheet.Answer(fx.num.Code)
	r = rows[fx.num.Code]
	if got := number(t, f, "LKE", cell("E", r)); got != *num.Self.Value {
		t.Errorf("numeric answer %s = %v, want %v", fx.num.Code, got, *num.Self.Value)
	}

	// Rekap: root and second-level areas, then totals and predicates.
	rekap := rowsByCode(t, f, "Rekap")
	fx.inst.Walk(func(area *instrument.Area, depth int) {
		r, ok := rekap[area.Code]
		if ok != (depth <= 1) {
			t.Errorf("Rekap has %s: %v, want %v", area.Code, ok, depth <= 1)
		}
		if !ok {
			return
		}
		if got := number(t, f, "Rekap", cell("D", r)); got != fx.a.Self.Node(area.Code) {
			t.Errorf("Rekap self %s = %v, want %v", area.Code, got, fx.a.Self.Node(area.Code))
		}
		if got, want := number(t, f, "Rekap", cell("E", r)), fx.a.Self.Node(area.Code)/fx.inst.Points(area); !near(got, want) {
			t.Errorf("Rekap self %% %s = %v, want %v", area.Code, got, want)
		}
		if got := number(t, f, "Rekap", cell("F", r)); got != fx.a.Final.Node(area.Code) {
			t.Errorf("Rekap final %s = %v, want %v", area.Code, got, fx.a.Final.Node(area.Code))
		}
	})
	total, ok := rekap["Total"]
	if !ok {
		t.Fatal("Rekap has no Total row")
	}
	if got := number(t, f, "Rekap", cell("D", total)); got != fx.a.Self.Total {
		t.Errorf("Rekap self total = %v, want %v", got, fx.a.Self.Total)
	}
	if got := number(t, f, "Rekap", cell("F", total)); got != fx.a.Final.Total {
		t.Errorf("Rekap final total = %v, want %v", got, fx.a.Final.Total)
	}
	for _, p := range fx.inst.Predicates {
		r, ok := rekap[p.Key]
		if !ok {
			t.Errorf("Rekap has no %s row", p.Key)
			continue
		}
		textCell(t, f, "Rekap", cell("D", r), yesNoText(fx.a.Self.Predicates[p.Key]))
		textCell(t, f, "Rekap", cell("F", r), yesNoText(fx.a.Final.Predicates[p.Key]))
	}
	if !fx.a.Self.Predicates["WBK"] {
		t.Error("fixture: all-best self answers should earn WBK")
	}
}

// Without a final snapshot the final columns stay empty.
func TestWriteLKEDraft(t *testing.T) {
	fx := newLKEFixture(t, assessment.Draft, false)
	if fx.a.Final != nil {
		t.Fatal("fixture: draft without reviews has a final snapshot")
	}
	f := writeLKE(t, fx)
	textCell(t, f, "LKE", "B8", "")
	textCell(t, f, "LKE", "C8", "belum ada nilai akhir")
	rows := rowsByCode(t, f, "LKE")
	for _, root := range fx.inst.Areas {
		textCell(t, f, "LKE", cell("J", rows[root.Code]), "")
	}
	r := rows[fx.first.Code]
	textCell(t, f, "LKE", cell("I", r), "")
	textCell(t, f, "LKE", cell("L", r), "")
	rekap := rowsByCode(t, f, "Rekap")
	textCell(t, f, "Rekap", cell("F", rekap["Total"]), "")
	textCell(t, f, "Rekap", cell("F", rekap["WBK"]), "")
	if got := number(t, f, "Rekap", cell("D", rekap["Total"])); got != fx.a.Self.Total {
		t.Errorf("Rekap self total = %v, want %v", got, fx.a.Self.Total)
	}
}

// An instrument with grades shows them on both sheets.
func TestWriteLKEGrades(t *testing.T) {
	inst := sheetOf(t, "sakip-2021")
	sh := &assessment.Sheet{ID: assessment.ID(2026, inst.ID, "sukamaju")}
	for _, ind := range inst.Indicators() {
		option, v := bestOf(inst.Scales[ind.Scale])
		sh.Answers = append(sh.Answers, assessment.Answer{Indicator: ind.Code,
			Self:   &assessment.Response{Option: option, Value: v},
			Review: &assessment.Review{Option: option, Value: v, Verdict: assessment.VerdictOK}})
	}
	a := &assessment.Assessment{ID: sh.ID, Flow: assessment.Flow{Status: assessment.Final}}
	if err := assessment.Rescore(inst, a, sh, nil); err != nil {
		t.Fatal(err)
	}
	if a.Self.Grade == "" {
		t.Fatal("fixture: no grade")
	}
	f := writeLKE(t, lkeFixture{inst: inst, a: a, sheet: sh})
	shown, _ := cellAt(t, f, "LKE", "C7")
	if !strings.HasPrefix(shown, "Kategori: "+a.Self.Grade+" (") {
		t.Errorf("LKE!C7 = %q, want the self grade with its label", shown)
	}
	rekap := rowsByCode(t, f, "Rekap")
	textCell(t, f, "Rekap", cell("D", rekap["Kategori"]), a.Self.Grade)
	textCell(t, f, "Rekap", cell("F", rekap["Kategori"]), a.Final.Grade)
}

func TestWriteLKENil(t *testing.T) {
	var buf bytes.Buffer
	if err := WriteLKE(&buf, nil, nil, nil, SheetInfo{}); err == nil {
		t.Error("WriteLKE(nil…): no error")
	}
}
