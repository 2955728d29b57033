package web

// StatusOf maps an error to its HTTP status and user-safe message, as the error handler does:
// a form that re-renders itself with the error (keeping what was typed) answers with the same
// status the API would.
func StatusOf(err error) (int, string) {
	status, msg, _ := statusOf(err)
	return status, msg
}
