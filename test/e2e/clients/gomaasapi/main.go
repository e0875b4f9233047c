// gomaasapi-client: connects to a MAAS with juju/gomaasapi v2's NewController, the way Juju,
// gomaasclient-era tools and terraform's older provider do. NewController issues
// GET api/2.0/version/ and then a signed GET api/2.0/users/?op=whoami (checkCreds).
//
// Usage: gomaasapi-client URL KEY [lifecycle]  (or set MAAS_URL and MAAS_API_KEY and pass nothing)
//
// With "lifecycle", it then drives a machine the way Juju does: Machines, AllocateMachine,
// Machine.Start (deploy), polls Machines until the status is Deployed, ReleaseMachines, and
// prints {"ok":true,"mode":"lifecycle","systemId":…,"statuses":[…],…}.
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
	"time"

	"github.com/juju/gomaasapi/v2"
)

type result struct {
	OK           bool     `json:"ok"`
	Mode         string   `json:"mode,omitempty"`
	Machines     int      `json:"machines,omitempty"`
	SystemID     string   `json:"systemId,omitempty"`
	Statuses     []string `json:"statuses,omitempty"`
	IPAddresses  []string `json:"ipAddresses,omitempty"`
	Zone         string   `json:"zone,omitempty"`
	Interfaces   int      `json:"interfaces,omitempty"`
	Disks        int      `json:"disks,omitempty"`
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
	if len(os.Args) >= 4 && os.Args[3] == "lifecycle" {
		emit(lifecycle(controller))
		return
	}
	caps := controller.Capabilities().Values()
	sort.Strings(caps)
	emit(result{OK: true, APIVersion: version, Subversion: &subversion, Capabilities: caps})
}

// lifecycle allocates, deploys, waits for Deployed and releases one machine (Juju's flow).
func lifecycle(controller gomaasapi.Controller) result {
	all, err := controller.Machines(gomaasapi.MachinesArgs{})
	if err != nil {
		return failure(err)
	}
	machine, _, err := controller.AllocateMachine(gomaasapi.AllocateMachineArgs{AgentName: "juju-e2e", Comment: "e2e"})
	if err != nil {
		return failure(err)
	}
	r := result{OK: true, Mode: "lifecycle", Machines: len(all), SystemID: machine.SystemID(), Zone: machine.Zone().Name()}
	r.Statuses = append(r.Statuses, machine.StatusName())
	if err := machine.Start(gomaasapi.StartArgs{DistroSeries: "jammy", Comment: "e2e"}); err != nil {
		return failure(err)
	}
	r.Statuses = append(r.Statuses, machine.StatusName())
	deadline := time.Now().Add(60 * time.Second)
	for {
		found, err := controller.Machines(gomaasapi.MachinesArgs{SystemIDs: []string{machine.SystemID()}})
		if err != nil {
			return failure(err)
		}
		if len(found) != 1 {
			return failure(fmt.Errorf("Machines(id) returned %d machines", len(found)))
		}
		if found[0].StatusName() == "Deployed" {
			r.Statuses = append(r.Statuses, "Deployed")
			r.IPAddresses = found[0].IPAddresses()
			r.Interfaces = len(found[0].InterfaceSet())
			r.Disks = len(found[0].PhysicalBlockDevices())
			break
		}
		if time.Now().After(deadline) {
			return failure(fmt.Errorf("still %q after 60s", found[0].StatusName()))
		}
		time.Sleep(200 * time.Millisecond)
	}
	if err := controller.ReleaseMachines(gomaasapi.ReleaseMachinesArgs{SystemIDs: []string{machine.SystemID()}, Comment: "e2e"}); err != nil {
		return failure(err)
	}
	return r
}
