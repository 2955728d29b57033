package web

import (
	"encoding/json"
	"errors"
	"strings"

	"github.com/gofiber/fiber/v2"

	"github.com/rapor-rb/raporrb/app/apperr"
)

var statusOfKind = map[apperr.Kind]int{
	apperr.Invalid:      fiber.StatusBadRequest,
	apperr.Unauthorized: fiber.StatusUnauthorized,
	apperr.Forbidden:    fiber.StatusForbidden,
	apperr.NotFound:     fiber.StatusNotFound,
	apperr.Conflict:     fiber.StatusConflict,
	apperr.TooLarge:     fiber.StatusRequestEntityTooLarge,
	apperr.TooMany:      fiber.StatusTooManyRequests,
}

// API error codes of DESIGN.md's contract, by status.
var codeOfStatus = map[int]string{
	fiber.StatusBadRequest:            "invalid",
	fiber.StatusUnauthorized:          "unauthorized",
	fiber.StatusForbidden:             "forbidden",
	fiber.StatusNotFound:              "not_found",
	fiber.StatusMethodNotAllowed:      "method_not_allowed",
	fiber.StatusConflict:              "conflict",
	fiber.StatusRequestEntityTooLarge: "too_large",
	fiber.StatusTooManyRequests:       "too_many_requests",
	fiber.StatusInternalServerError:   "internal",
}

// Default messages for errors that carry none of their own (Fiber's 404, 405, 413).
var messageOfStatus = map[int]string{
	fiber.StatusBadRequest:            "Permintaan tidak valid.",
	fiber.StatusUnauthorized:          "Silakan masuk terlebih dahulu.",
	fiber.StatusForbidden:             "Anda tidak berhak mengakses halaman ini.",
	fiber.StatusNotFound:              "Halaman tidak ditemukan.",
	fiber.StatusMethodNotAllowed:      "Metode tidak diizinkan.",
	fiber.StatusConflict:              "Data telah diubah oleh orang lain.",
	fiber.StatusRequestEntityTooLarge: "Berkas atau permintaan terlalu besar.",
	fiber.StatusTooManyRequests:       "Terlalu banyak permintaan. Coba lagi nanti.",
	fiber.StatusInternalServerError:   "Terjadi kesalahan pada server. Silakan coba lagi.",
}

// statusOf maps an error to its HTTP status and user-safe message.
func statusOf(err error) (int, string, any) {
	var fe *fiber.Error
	if errors.As(err, &fe) {
		msg := messageOfStatus[fe.Code]
		if msg == "" {
			msg = messageOfStatus[fiber.StatusInternalServerError]
		}
		return fe.Code, msg, nil
	}
	var ae *apperr.Error
	if errors.As(err, &ae) {
		if st, ok := statusOfKind[ae.Kind]; ok {
			return st, ae.Msg, ae.Detail
		}
	}
	return fiber.StatusInternalServerError, messageOfStatus[fiber.StatusInternalServerError], nil
}

// StatusOf is the HTTP status of err, as the error handler answers it: for handlers that
// render an error inside a page instead of replacing the page.
func StatusOf(err error) int {
	st, _, _ := statusOf(err)
	return st
}

// handleError is the one place errors become responses: JSON for the API, an error page for
// people. 5xx details go to the log, never to the client.
func (s *Server) handleError(c *fiber.Ctx, err error) error {
	status, msg, detail := statusOf(err)
	if status >= 500 {
		s.log.Error("request failed", "method", c.Method(), "path", c.Path(), "err", err)
	}
	code := codeOfStatus[status]
	if code == "" {
		code = "error"
	}
	c.Status(status)
	if isAPI(c) || strings.Contains(c.Get(fiber.HeaderAccept), fiber.MIMEApplicationJSON) && !strings.Contains(c.Get(fiber.HeaderAccept), "text/html") {
		body := fiber.Map{"error": msg, "code": code}
		if detail != nil {
			body["current"] = detail
		}
		return c.JSON(body)
	}
	if rerr := Render(c, "error", messageOfStatus[status], fiber.Map{"Status": status, "Pesan": msg}); rerr != nil {
		s.log.Error("rendering error page", "err", rerr)
		return c.SendString(msg)
	}
	return nil
}

func errForbidden(msg string) error    { return apperr.New(apperr.Forbidden, "%s", msg) }
func errUnauthorized(msg string) error { return apperr.New(apperr.Unauthorized, "%s", msg) }

// rejectOperatorKeys refuses any request whose JSON body or form has a key starting with "$"
// (or holding a NUL), so user input can never become a MongoDB operator.
func rejectOperatorKeys(c *fiber.Ctx) error {
	bad := func(k string) bool { return strings.HasPrefix(k, "$") || strings.ContainsRune(k, 0) }
	ct := c.Get(fiber.HeaderContentType)
	switch {
	case strings.HasPrefix(ct, fiber.MIMEApplicationJSON) && len(c.Body()) > 0:
		var v any
		if err := json.Unmarshal(c.Body(), &v); err != nil {
			return apperr.New(apperr.Invalid, "Badan permintaan bukan JSON yang valid.")
		}
		if k, found := findKey(v, bad); found {
			return apperr.New(apperr.Invalid, "Kunci %q tidak diizinkan: kunci tidak boleh diawali \"$\".", k)
		}
	case strings.HasPrefix(ct, fiber.MIMEApplicationForm):
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
