package web

import (
	"io"
	"mime"
	"mime/multipart"
	"strconv"

	"github.com/gofiber/fiber/v2"

	"github.com/rapor-rb/raporrb/app/apperr"
)

// Upload is one file read from a multipart form, with the form's other (small) fields.
type Upload struct {
	Name   string
	Data   []byte
	Fields map[string]string
}

// maxField bounds a text field of an upload form.
const maxField = 4 << 10

// ReadUpload reads a multipart body streamed by the server: its "file" part, at most max
// bytes (TooLarge past it, said in MB), and its other parts as text fields. Errors: Invalid
// for a body that is not multipart or has no file.
func ReadUpload(c *fiber.Ctx, max int64) (*Upload, error) {
	mt, params, err := mime.ParseMediaType(c.Get(fiber.HeaderContentType))
	if err != nil || mt != fiber.MIMEMultipartForm || params["boundary"] == "" {
		return nil, apperr.New(apperr.Invalid, "Unggah berkas sebagai multipart/form-data dengan kolom \"file\".")
	}
	// An upload route (Router.Upload) hands its multipart stream over with the upload limit;
	// nothing else takes multipart (the route chain answers 415 first).
	body := UploadBody(c)
	if body == nil {
		return nil, apperr.New(apperr.Unsupported, "Rute ini tidak menerima unggahan berkas.")
	}
	up := &Upload{Fields: map[string]string{}}
	mr := multipart.NewReader(body, params["boundary"])
	for {
		part, err := mr.NextPart()
		if err == io.EOF {
			break
		} else if err != nil {
			return nil, apperr.New(apperr.Invalid, "Unggahan tidak lengkap atau rusak. Coba lagi.")
		}
		limit := int64(maxField)
		if part.FormName() == "file" {
			limit = max
		}
		data, err := io.ReadAll(io.LimitReader(part, limit+1))
		if err != nil {
			return nil, apperr.New(apperr.Invalid, "Unggahan tidak lengkap atau rusak. Coba lagi.")
		}
		if int64(len(data)) > limit {
			if part.FormName() == "file" {
				return nil, apperr.New(apperr.TooLarge, "Berkas terlalu besar (batas %s).", sizeText(max))
			}
			return nil, apperr.InField(part.FormName(), "Isian formulir terlalu panjang.")
		}
		if part.FormName() != "file" {
			up.Fields[part.FormName()] = string(data)
			continue
		}
		_, disp, _ := mime.ParseMediaType(part.Header.Get("Content-Disposition"))
		up.Name, up.Data = disp["filename"], data
	}
	if up.Data == nil {
		return nil, apperr.New(apperr.Invalid, "Pilih berkas yang akan diunggah (kolom \"file\").")
	}
	if len(up.Data) == 0 {
		return nil, apperr.New(apperr.Invalid, "Berkas %q kosong.", up.Name)
	}
	return up, nil
}

// sizeText is a byte count as "5 MB" or "512 KB".
func sizeText(n int64) string {
	if n >= 1<<20 {
		return strconv.FormatInt(n>>20, 10) + " MB"
	}
	return strconv.FormatInt(n>>10, 10) + " KB"
}
