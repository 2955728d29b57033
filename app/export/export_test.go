package export

import (
	"bytes"
	"encoding/csv"
	"slices"
	"strconv"
	"strings"
	"testing"
	"unicode/utf16"

	"github.com/xuri/excelize/v2"

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
