package web

import (
	"errors"
	"strconv"
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
	apperr.Gone:         fiber.StatusGone,
	apperr.TooLarge:     fiber.StatusRequestEntityTooLarge,
	apperr.Unsupported:  fiber.StatusUnsupportedMediaType,
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
	fiber.StatusGone:                  "gone",
	fiber.StatusRequestEntityTooLarge: "too_large",
	fiber.StatusUnsupportedMediaType:  "unsupported_media_type",
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
	fiber.StatusGone:                  "Tidak tersedia lagi.",
	fiber.StatusRequestEntityTooLarge: "Berkas atau permintaan terlalu besar.",
	fiber.StatusUnsupportedMediaType:  "Jenis isi permintaan tidak diterima.",
	fiber.StatusTooManyRequests:       "Terlalu banyak permintaan. Coba lagi nanti.",
	fiber.StatusInternalServerError:   "Terjadi kesalahan pada server. Silakan coba lagi.",
}

// StatusOf maps an error to its HTTP status, user-safe message and API detail: the one
// mapping, for handlers that answer an error in place (a form re-rendered with it).
func StatusOf(err error) (int, string, any) { return statusOf(err) }

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

// Status is only the HTTP status of err (see StatusOf).
func Status(err error) int {
	st, _, _ := statusOf(err)
	return st
}

// handleError is the one place errors become responses: JSON for the API, an inline
// fragment for a request made by htmx from a page (the page stays, with what the user typed;
// public/js/app.js shows the fragment beside the form), an error page otherwise. 5xx details
// go to the log, never to the client.
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
	if hasBody(c) {
		// The body may be unread (refused before reading, or an upload cut short): close the
		// connection so that the answer goes out now and the rest is never read.
		c.Context().SetConnectionClose()
	}
	if wantsJSON(c) {
		body := fiber.Map{"error": msg, "code": code}
		if detail != nil {
			body["current"] = detail
		}
		if f := apperr.FieldOf(err); f != "" {
			body["field"] = f
		}
		return c.JSON(body)
	}
	if IsHtmx(c) {
		// Not swapped in place of the target: the form and what was typed stay.
		c.Set("HX-Reswap", "none")
		c.Set(headerInlineError, strconv.Itoa(status))
		return c.Render("error_inline", fiber.Map{"Status": status, "Pesan": msg})
	}
	if rerr := Render(c, "error", messageOfStatus[status], fiber.Map{"Status": status, "Pesan": msg}); rerr != nil {
		s.log.Error("rendering error page", "err", rerr)
		return c.SendString(msg)
	}
	return nil
}

// headerInlineError marks an error response to an htmx request: its body is a fragment to
// show beside the form that sent it (public/js/app.js), and its value is the status.
const headerInlineError = "X-Galat"

// IsHtmx reports whether the request was made by htmx from one of the app's pages.
func IsHtmx(c *fiber.Ctx) bool { return c.Get("HX-Request") != "" }

// wantsJSON reports whether an error is answered in the API's JSON shape: on an API route (by
// the routed path, or for a request that reached no route, by its path in any letter case),
// or when the client asks for JSON and not HTML.
func wantsJSON(c *fiber.Ctx) bool {
	if isAPI(c) {
		return true
	}
	if routed, _ := c.Locals(localRouteOK).(bool); !routed && strings.HasPrefix(strings.ToLower(c.Path()), "/api/") {
		return true
	}
	accept := c.Get(fiber.HeaderAccept)
	return strings.Contains(accept, fiber.MIMEApplicationJSON) && !strings.Contains(accept, "text/html")
}

func errForbidden(msg string) error    { return apperr.New(apperr.Forbidden, "%s", msg) }
func errUnauthorized(msg string) error { return apperr.New(apperr.Unauthorized, "%s", msg) }
