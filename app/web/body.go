package web

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"mime"
	"strings"

	"github.com/gofiber/fiber/v2"

	"github.com/rapor-rb/raporrb/app/apperr"
)

// accepts is the set of request body types a route takes.
type accepts uint8

const (
	acceptForm      accepts = 1 << iota // application/x-www-form-urlencoded (page forms)
	acceptJSON                          // application/json (API)
	acceptMultipart                     // multipart/form-data, streamed (evidence uploads)
)

// Locals set by the route chain for the handlers and the error handler.
const (
	localAPI     = "api"     // bool: the routed path is under /api/
	localRouteOK = "routed"  // bool: the request reached a registered route
	localMedia   = "media"   // string: the request's media type, lowercased, without parameters
	localUpload  = "upload"  // io.Reader: the limited multipart stream of an upload route
	localVia     = "authvia" // string: "cookie" or "bearer", how the user was authenticated
)

// mediaType returns the request's Content-Type without parameters, lowercased ("" when
// absent or unparsable).
func mediaType(c *fiber.Ctx) string {
	ct := c.Get(fiber.HeaderContentType)
	if ct == "" {
		return ""
	}
	mt, _, err := mime.ParseMediaType(ct)
	if err != nil {
		return "invalid"
	}
	return mt
}

// IsMultipart reports whether the request is a multipart upload (the media type compared
// case-insensitively, as HTTP says).
func IsMultipart(c *fiber.Ctx) bool {
	if mt, ok := c.Locals(localMedia).(string); ok {
		return mt == fiber.MIMEMultipartForm
	}
	return mediaType(c) == fiber.MIMEMultipartForm
}

// hasBody reports whether the request announces a body: a positive Content-Length or a
// chunked transfer (fasthttp reports -1).
func hasBody(c *fiber.Ctx) bool {
	return c.Request().Header.ContentLength() != 0
}

// body is the first handler of every route: it decides from the routed path whether the
// route is the API, refuses a body of a type the route does not take (415) before reading a
// byte of it, reads any other body with the route's limit while reading (a chunked body
// included: fasthttp never buffers it, and this reads at most limit+1 bytes), and runs the
// "$"-key guard on whatever was read (limit: the route's, see Router.WithBodyLimit). Only upload routes leave a multipart body unread; the
// handler gets it from UploadBody, limited to uploadLimit bytes in all.
func (s *Server) body(api bool, acc accepts, limit int) fiber.Handler {
	return func(c *fiber.Ctx) error {
		c.Locals(localAPI, api)
		c.Locals(localRouteOK, true)
		if api && c.Locals(localVia) == "cookie" {
			// The API authenticates with a bearer token only: a browser's cookie is
			// ambient authority, and API routes carry no CSRF token.
			c.Locals(localUser, nil)
		}
		mt := mediaType(c)
		c.Locals(localMedia, mt)
		if !hasBody(c) {
			return c.Next()
		}
		var ok bool
		switch mt {
		case fiber.MIMEApplicationForm:
			ok = acc&acceptForm != 0
		case fiber.MIMEApplicationJSON:
			ok = acc&acceptJSON != 0
		case fiber.MIMEMultipartForm:
			ok = acc&acceptMultipart != 0
		case "":
			// No type: nothing may parse it. A bodiless verb with a stray empty chunked body
			// is let through by the limit below only if it is really empty.
			ok = false
		}
		if !ok && !(mt == "" && c.Method() == fiber.MethodGet) {
			c.Context().SetConnectionClose()
			return apperr.New(apperr.Unsupported, "Jenis isi permintaan %s tidak diterima di alamat ini. %s", quoteType(mt), acceptedText(acc))
		}
		if mt == fiber.MIMEMultipartForm {
			c.Locals(localUpload, s.uploadStream(c))
			return c.Next()
		}
		if err := s.readLimited(c, limit); err != nil {
			return err
		}
		return rejectOperatorKeys(c, mt)
	}
}

func quoteType(mt string) string {
	if mt == "" {
		return "(tanpa Content-Type)"
	}
	if len(mt) > 60 {
		mt = mt[:60]
	}
	return "\"" + mt + "\""
}

func acceptedText(acc accepts) string {
	var ts []string
	if acc&acceptJSON != 0 {
		ts = append(ts, fiber.MIMEApplicationJSON)
	}
	if acc&acceptForm != 0 {
		ts = append(ts, fiber.MIMEApplicationForm)
	}
	if acc&acceptMultipart != 0 {
		ts = append(ts, fiber.MIMEMultipartForm)
	}
	return "Gunakan " + strings.Join(ts, " atau ") + "."
}

// readLimited replaces the request's body stream by its first bytes, refusing with 413 (and
// closing the connection, so the rest is never read) a body longer than limit.
func (s *Server) readLimited(c *fiber.Ctx, limit int) error {
	if n := c.Request().Header.ContentLength(); n > limit {
		c.Context().SetConnectionClose()
		return tooLarge(int64(limit))
	}
	stream := c.Context().RequestBodyStream()
	if stream == nil {
		if len(c.Request().Body()) > limit {
			c.Context().SetConnectionClose()
			return tooLarge(int64(limit))
		}
		return nil
	}
	var buf bytes.Buffer
	n, err := io.Copy(&buf, io.LimitReader(stream, int64(limit)+1))
	if n > int64(limit) {
		c.Context().SetConnectionClose()
		return tooLarge(int64(limit))
	}
	if err != nil {
		c.Context().SetConnectionClose()
		return apperr.New(apperr.Invalid, "Isi permintaan tidak lengkap atau rusak.")
	}
	c.Request().SetBody(buf.Bytes())
	return nil
}

func tooLarge(limit int64) error {
	if limit < 1<<20 {
		return apperr.New(apperr.TooLarge, "Permintaan terlalu besar (batas %d KB).", (limit+1023)>>10)
	}
	return apperr.New(apperr.TooLarge, "Permintaan terlalu besar (batas %d MB).", (limit+(1<<20)-1)>>20)
}

// uploadLimit is the most an upload request may carry in all: maxFiles files of UploadMax
// and 1 MB of multipart framing.
func (s *Server) uploadLimit() int64 { return int64(MaxFilesPerUpload)*s.cfg.UploadMax + 1<<20 }

// MaxFilesPerUpload bounds the files of one upload request; more evidence takes more requests.
const MaxFilesPerUpload = 10

// errUploadTooLarge is what UploadBody's reader returns past the request's limit.
var errUploadTooLarge = errors.New("upload body past its limit")

// limitedStream reads at most n bytes, then fails with errUploadTooLarge.
type limitedStream struct {
	r     io.Reader
	n     int64
	limit int64
}

func (l *limitedStream) Read(p []byte) (int, error) {
	if l.n <= 0 {
		return 0, errUploadTooLarge
	}
	if int64(len(p)) > l.n {
		p = p[:l.n+1] // one byte past the limit tells "exactly" from "more"
	}
	n, err := l.r.Read(p)
	l.n -= int64(n)
	if l.n < 0 {
		return n, errUploadTooLarge
	}
	return n, err
}

func (s *Server) uploadStream(c *fiber.Ctx) *limitedStream {
	// Never c.Request().Body() while a stream is there: that reads the stream whole.
	var r io.Reader
	if st := c.Context().RequestBodyStream(); st != nil {
		r = st
	} else {
		r = bytes.NewReader(c.Request().Body())
	}
	return &limitedStream{r: r, n: s.uploadLimit(), limit: s.uploadLimit()}
}

// UploadBody returns the multipart body of an upload route as a stream limited to the
// route's total (UploadMax per file, MaxFilesPerUpload files). Reading past it fails; the
// error maps to 413 through UploadError. Nil when the request is not multipart.
func UploadBody(c *fiber.Ctx) io.Reader {
	if r, ok := c.Locals(localUpload).(*limitedStream); ok {
		return r
	}
	return nil
}

// DrainUpload reads and discards what is left of an upload's body, within the request's
// limit, so that an answer to a refused file reaches a browser that is still sending (a
// connection closed on unread data is reset, and the browser shows no answer at all). It
// reports whether the body ended within the limit; if not, the connection is to be closed.
func DrainUpload(c *fiber.Ctx) bool {
	l, ok := c.Locals(localUpload).(*limitedStream)
	if !ok {
		return true
	}
	if _, err := io.Copy(io.Discard, l); err != nil {
		c.Context().SetConnectionClose()
		return false
	}
	return true
}

// IsUploadTooLarge reports whether err came from reading an upload past its request's limit.
func IsUploadTooLarge(err error) bool { return errors.Is(err, errUploadTooLarge) }

// UploadError turns an error met while reading an upload stream into the response's error:
// 413 past the total limit, 400 for a malformed body. The connection is closed, since the
// rest of the body is not read.
func UploadError(c *fiber.Ctx, err error) error {
	c.Context().SetConnectionClose()
	if l, ok := c.Locals(localUpload).(*limitedStream); ok && errors.Is(err, errUploadTooLarge) {
		return tooLarge(l.limit)
	}
	return apperr.New(apperr.Invalid, "Unggahan tidak lengkap atau rusak. Coba lagi.")
}

// rejectOperatorKeys refuses a JSON body or form with a key starting with "$" (or holding a
// NUL), so user input can never become a MongoDB operator. It runs on the body the route
// reads, whatever parses it later: a route takes only the types checked here, or multipart
// where only files are read.
func rejectOperatorKeys(c *fiber.Ctx, mt string) error {
	bad := func(k string) bool { return strings.HasPrefix(k, "$") || strings.ContainsRune(k, 0) }
	switch mt {
	case fiber.MIMEApplicationJSON:
		if len(c.Body()) == 0 {
			return c.Next()
		}
		var v any
		if err := json.Unmarshal(c.Body(), &v); err != nil {
			return apperr.New(apperr.Invalid, "Badan permintaan bukan JSON yang valid.")
		}
		if k, found := findKey(v, bad); found {
			return apperr.New(apperr.Invalid, "Kunci %q tidak diizinkan: kunci tidak boleh diawali \"$\".", k)
		}
	case fiber.MIMEApplicationForm:
		var found string
		c.Request().PostArgs().VisitAll(func(k, _ []byte) {
			if found == "" && bad(string(k)) {
				found = string(k)
			}
		})
		if found != "" {
			return apperr.New(apperr.Invalid, "Kunci %q tidak diizinkan: kunci tidak boleh diawali \"$\".", found)
		}
	}
	return c.Next()
}

func findKey(v any, bad func(string) bool) (string, bool) {
	switch t := v.(type) {
	case map[string]any:
		for k, x := range t {
			if bad(k) {
				return k, true
			}
			if k, ok := findKey(x, bad); ok {
				return k, true
			}
		}
	case []any:
		for _, x := range t {
			if k, ok := findKey(x, bad); ok {
				return k, true
			}
		}
	}
	return "", false
}
