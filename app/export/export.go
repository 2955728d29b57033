// Package export writes what the Bupati dashboard downloads: titled tables (rankings, composite
// indexes, over-claiming lists) as XLSX or CSV, and one unit's full sheet as an XLSX laid out
// like the official LKE (Lembar Kerja Evaluasi). It is pure: it reads the values it is given and
// never touches the database.
package export

import (
	"fmt"
	"io"
	"math"
	"strconv"
	"strings"
	"unicode/utf16"
	"unicode/utf8"

	"github.com/xuri/excelize/v2"

	rnum "github.com/rapor-rb/raporrb/app/num"
)

// kind is what a cell holds once a Go value has been normalized.
type kind int

const (
	blank kind = iota
	text
	integer
	decimal
)

// value is one normalized cell: text, an integer, a decimal or nothing.
type value struct {
	kind kind
	s    string
	i    int64
	f    float64
}

func textOf(s string) value   { return value{kind: text, s: s} }
func yesNo(b bool) value      { return textOf(yesNoText(b)) }
func integerOf(i int64) value { return value{kind: integer, i: i} }

// yesNoText is a boolean as the reports write it.
func yesNoText(b bool) string {
	if b {
		return "Ya"
	}
	return "Tidak"
}

// floatValue keeps NaN and ±Inf out of the files: they become empty cells.
func floatValue(f float64) value {
	if math.IsNaN(f) || math.IsInf(f, 0) {
		return value{}
	}
	return value{kind: decimal, f: f}
}

func floatPtr(f *float64) value {
	if f == nil {
		return value{}
	}
	return floatValue(*f)
}

// valueOf normalizes a table cell. Supported: nil, string, bool, int, int32, int64, float32,
// float64, *float64, *int and fmt.Stringer.
func valueOf(v any) (value, error) {
	switch x := v.(type) {
	case nil:
		return value{}, nil
	case string:
		return textOf(x), nil
	case bool:
		return yesNo(x), nil
	case int:
		return integerOf(int64(x)), nil
	case int32:
		return integerOf(int64(x)), nil
	case int64:
		return integerOf(x), nil
	case float32:
		return floatValue(float64(x)), nil
	case float64:
		return floatValue(x), nil
	case *float64:
		return floatPtr(x), nil
	case *int:
		if x == nil {
			return value{}, nil
		}
		return integerOf(int64(*x)), nil
	case fmt.Stringer:
		return textOf(x.String()), nil
	}
	return value{}, fmt.Errorf("unsupported cell type %T", v)
}

// display is the value as a reader sees it, decimals rounded to 2 places (half away from zero on
// the exact value) with a decimal comma; it sizes columns.
func (v value) display() string { return v.format(',') }

// format is display with the given decimal separator.
func (v value) format(point rune) string {
	switch v.kind {
	case text:
		return v.s
	case integer:
		return strconv.FormatInt(v.i, 10)
	case decimal:
		if point == '.' {
			return rnum.Dot2(v.f)
		}
		return rnum.ID2(v.f)
	}
	return ""
}

// width is the length of the value's longest line, in characters.
func (v value) width() int {
	w := 0
	for line := range strings.SplitSeq(v.display(), "\n") {
		w = max(w, utf8.RuneCountInString(line))
	}
	return w
}

// look is the appearance of a cell; the zero look is Excel's default. It is a map key.
type look struct {
	bold, italic, wrap, border bool
	size                       float64 // font size; 0 keeps the default
	color                      string  // font color, "#RRGGBB"
	fill                       string  // background, "#RRGGBB"
	horizontal                 string  // "left", "center", …
	indent                     int
	numFmt                     int // built-in number format: 2 is 0.00, 10 is 0.00%
}

// Number formats used by the exports (Excel built-ins).
const (
	fmtDecimal = 2  // 0.00
	fmtPercent = 10 // 0.00%
)

// book is an excelize workbook with a cache of the styles it uses.
type book struct {
	f      *excelize.File
	styles map[look]int
	sheets int
}

func newBook() *book { return &book{f: excelize.NewFile(), styles: map[look]int{}} }

func (b *book) close() { _ = b.f.Close() } // in-memory file: nothing to flush or leak

// addSheet appends a worksheet; the first one replaces the new file's default sheet.
func (b *book) addSheet(name string) error {
	b.sheets++
	if b.sheets == 1 {
		if err := b.f.SetSheetName(b.f.GetSheetName(0), name); err != nil {
			return fmt.Errorf("sheet %q: %w", name, err)
		}
		return nil
	}
	if _, err := b.f.NewSheet(name); err != nil {
		return fmt.Errorf("sheet %q: %w", name, err)
	}
	return nil
}

// style returns the id of a look, creating it once.
func (b *book) style(l look) (int, error) {
	if l == (look{}) {
		return 0, nil
	}
	if id, ok := b.styles[l]; ok {
		return id, nil
	}
	s := &excelize.Style{NumFmt: l.numFmt}
	if l.bold || l.italic || l.size != 0 || l.color != "" {
		s.Font = &excelize.Font{Bold: l.bold, Italic: l.italic, Size: l.size, Color: l.color}
	}
	if l.fill != "" {
		s.Fill = excelize.Fill{Type: "pattern", Pattern: 1, Color: []string{l.fill}}
	}
	if l.border {
		for _, side := range []string{"left", "right", "top", "bottom"} {
			s.Border = append(s.Border, excelize.Border{Type: side, Color: "#BFBFBF", Style: 1})
		}
	}
	if l.wrap || l.border || l.indent > 0 || l.horizontal != "" {
		s.Alignment = &excelize.Alignment{WrapText: l.wrap, Indent: l.indent, Horizontal: l.horizontal, Vertical: "top"}
		if l.indent > 0 && l.horizontal == "" {
			s.Alignment.Horizontal = "left" // Excel ignores an indent without an alignment
		}
	}
	id, err := b.f.NewStyle(s)
	if err != nil {
		return 0, fmt.Errorf("style: %w", err)
	}
	b.styles[l] = id
	return id, nil
}

// set writes one cell (1-based column and row) with its look.
func (b *book) set(sheet string, col, row int, v value, l look) error {
	cell, err := excelize.CoordinatesToCellName(col, row)
	if err != nil {
		return err
	}
	switch v.kind {
	case text:
		err = b.f.SetCellStr(sheet, cell, v.s)
	case integer:
		err = b.f.SetCellInt(sheet, cell, v.i)
	case decimal:
		err = b.f.SetCellFloat(sheet, cell, v.f, -1, 64)
	}
	if err != nil {
		return fmt.Errorf("cell %s!%s: %w", sheet, cell, err)
	}
	id, err := b.style(l)
	if err != nil || id == 0 {
		return err
	}
	if err := b.f.SetCellStyle(sheet, cell, cell, id); err != nil {
		return fmt.Errorf("cell %s!%s: %w", sheet, cell, err)
	}
	return nil
}

// freeze keeps the rows above row and the columns left of col in view while scrolling.
func (b *book) freeze(sheet string, col, row int) error {
	top, err := excelize.CoordinatesToCellName(col+1, row+1)
	if err != nil {
		return err
	}
	pane := "bottomLeft"
	if col > 0 {
		pane = "bottomRight"
	}
	return b.f.SetPanes(sheet, &excelize.Panes{
		Freeze: true, XSplit: col, YSplit: row, TopLeftCell: top, ActivePane: pane,
		Selection: []excelize.Selection{{SQRef: top, ActiveCell: top, Pane: pane}},
	})
}

// width sets the width of one column, in characters.
func (b *book) width(sheet string, col int, w float64) error {
	name, err := excelize.ColumnNumberToName(col)
	if err != nil {
		return err
	}
	return b.f.SetColWidth(sheet, name, name, w)
}

// write serializes the workbook.
func (b *book) write(w io.Writer) error {
	if err := b.f.Write(w); err != nil {
		return fmt.Errorf("write workbook: %w", err)
	}
	return nil
}

// maxSheetName is Excel's limit on a sheet name, in UTF-16 code units.
const maxSheetName = 31

// sheetName turns a table name into a valid, unused sheet name: the characters Excel forbids
// ([]:*?/\) become '-', an apostrophe becomes ’ (excelize does not quote it in references), the
// name is cut to 31 characters, and a name already taken (case-insensitively, or Excel's reserved
// "History") gets " (2)", " (3)", …. An empty name becomes "Lembar n".
func sheetName(name string, n int, used map[string]bool) string {
	name = strings.Map(func(r rune) rune {
		switch {
		case strings.ContainsRune(`[]:*?/\`, r):
			return '-'
		case r == '\'':
			return '’'
		case r < ' ' || r == utf8.RuneError:
			return ' '
		}
		return r
	}, name)
	name = strings.TrimSpace(name)
	if name == "" {
		name = fmt.Sprintf("Lembar %d", n)
	}
	base := cut(name, maxSheetName)
	name = base
	for i := 2; used[strings.ToLower(name)] || strings.EqualFold(name, "History"); i++ {
		suffix := fmt.Sprintf(" (%d)", i)
		name = cut(base, maxSheetName-len(suffix)) + suffix
	}
	used[strings.ToLower(name)] = true
	return name
}

// cut shortens s to at most n UTF-16 code units, without a trailing space.
func cut(s string, n int) string {
	units := 0
	for i, r := range s {
		units += utf16.RuneLen(r)
		if units > n {
			return strings.TrimRight(s[:i], " ")
		}
	}
	return s
}
