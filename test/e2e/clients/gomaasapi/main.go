// gomaasapi-client: connects to a MAAS with juju/gomaasapi v2's NewController, the way Juju,
// gomaasclient-era tools and terraform's older provider do. NewController issues
// GET api/2.0/version/ and then a signed GET api/2.0/users/?op=whoami (checkCreds).
//
// Usage: gomaasapi-client URL KEY     (or set MAAS_URL and MAAS_API_KEY and pass nothing)
//
//	URL like http://127.0.0.1:5240/MAAS   KEY consumer_key:token_key:token_secret
//
// Prints one JSON line, and exits 0 either way:
//
//	{"ok":true,"apiVersion":"3.7.0","subversion":"","capabilities":[...]}
//	{"ok":false,"error":"...","errorKind":"permission","httpStatus":401}
//
// apiVersion is the MAAS version string from version/ (Controller.APIVersionInfo, which fetches
// version/ a second time, so a successful run makes three requests).
// Built by build-gomaasapi.sh from Debian's golang-github-juju-gomaasapi-dev in GOPATH mode.
package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"sort"
	"strings"

	"github.com/juju/gomaasapi/v2"
)

type result struct {
	OK           bool     `json:"ok"`
	APIVersion   string   `json:"apiVersion,omitempty"`
	Subversion   *string  `json:"subversion,omitempty"`
	Capabilities []string `json:"capabilities,omitempty"`
	Error        string   `json:"error,omitempty"`
	ErrorKind    string   `json:"errorKind,omitempty"`
	// HTTPStatus is set when the failure carries a MAAS HTTP status (gomaasapi.ServerError).
	HTTPStatus int `json:"httpStatus,omitempty"`
}

func failure(err error) result {
	r := result{OK: false, Error: err.Error(), ErrorKind: errorKind(err)}
	// errors.As walks the whole wrap chain (juju errors implement Unwrap); GetServerError only
	// looks at the Cause, which for a 401 is the PermissionError wrapped around it.
	var serverErr gomaasapi.ServerError
	if errors.As(err, &serverErr) {
		r.HTTPStatus = serverErr.StatusCode
	}
	return r
}

// errorKind names gomaasapi's typed errors, so tests can tell a 401 from a bad version reply.
func errorKind(err error) string {
	switch {
	case gomaasapi.IsPermissionError(err):
		return "permission"
	case gomaasapi.IsUnsupportedVersionError(err):
		return "unsupported-version"
	case gomaasapi.IsDeserializationError(err):
		return "deserialization"
	case gomaasapi.IsUnexpectedError(err):
		return "unexpected"
	}
	if _, ok := gomaasapi.GetServerError(err); ok {
		return "server"
	}
	if strings.Contains(err.Error(), "invalid API key") {
		return "invalid-key"
	}
	return "other"
}

func emit(r result) {
	out, _ := json.Marshal(r)
	fmt.Println(string(out))
}

func main() {
	url, key := os.Getenv("MAAS_URL"), os.Getenv("MAAS_API_KEY")
	if len(os.Args) >= 3 {
		url, key = os.Args[1], os.Args[2]
	}
	if url == "" || key == "" {
		fmt.Fprintln(os.Stderr, "usage: gomaasapi-client URL KEY")
		os.Exit(2)
	}
	controller, err := gomaasapi.NewController(gomaasapi.ControllerArgs{BaseURL: url, APIKey: key})
	if err != nil {
		emit(failure(err))
		return
	}
	version, subversion, err := controller.APIVersionInfo()
	if err != nil {
		emit(failure(err))
		return
	}
	caps := controller.Capabilities().Values()
	sort.Strings(caps)
	emit(result{OK: true, APIVersion: version, Subversion: &subversion, Capabilities: caps})
}
