package survey

import (
	"fmt"
	"strings"

	qrcode "github.com/skip2/go-qrcode"
)

// QR codes of the public form, by github.com/skip2/go-qrcode (MIT, no dependencies), at error
// correction level M (15 %: a poster may be creased or smudged), with the standard quiet zone.

// QRPNG returns the QR code of content as a PNG of size×size pixels.
func QRPNG(content string, size int) ([]byte, error) {
	q, err := qrcode.New(content, qrcode.Medium)
	if err != nil {
		return nil, fmt.Errorf("QR code: %w", err)
	}
	return q.PNG(size)
}

// QRSVG returns the QR code of content as an SVG, one path of unit squares on a white
// background, so a printed poster is sharp at any size.
func QRSVG(content string) ([]byte, error) {
	q, err := qrcode.New(content, qrcode.Medium)
	if err != nil {
		return nil, fmt.Errorf("QR code: %w", err)
	}
	bm := q.Bitmap()
	n := len(bm)
	var b strings.Builder
	fmt.Fprintf(&b, `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 %d %d" shape-rendering="crispEdges" role="img" aria-label="Kode QR survei">`, n, n)
	fmt.Fprintf(&b, `<rect width="%d" height="%d" fill="#fff"/><path fill="#000" d="`, n, n)
	for y, row := range bm {
		for x, on := range row {
			if on {
				fmt.Fprintf(&b, "M%d %dh1v1h-1z", x, y)
			}
		}
	}
	b.WriteString(`"/></svg>`)
	return []byte(b.String()), nil
}
