package pushsim

import (
	"encoding/json"
	"math/rand/v2"
	"net/http"
	"net/url"
)

// defaultHostID is the HostId of an answer to a request with no Host.
const defaultHostID = "cloudpush.aliyuncs.com"

// errorBody is the JSON of an error answer. Every field is a string: the
// SDK asserts that.
type errorBody struct {
	RequestID string `json:"RequestId"`
	HostID    string `json:"HostId"`
	Code      string `json:"Code"`
	Message   string `json:"Message"`
	Recommend string `json:"Recommend"`
}

// write sends o with request id rid, or drops the connection.
func write(w http.ResponseWriter, r *http.Request, rid string, o outcome) {
	if o.drop {
		dropConnection(w)
		return
	}
	h := w.Header()
	h.Set("Content-Type", "application/json;charset=utf-8")
	h.Set("X-Acs-Request-Id", rid)
	var body []byte
	switch {
	case o.payload != nil:
		body = o.payload(rid)
	case o.code == "":
		body = successBody(rid, o.messageID)
	default:
		body = errorJSON(r, rid, o)
	}
	w.WriteHeader(o.status)
	w.Write(body)
}

// successBody is {"MessageId":..,"RequestId":..}; both are plain ASCII
// (digits, and hex with dashes) and need no escaping.
func successBody(rid, messageID string) []byte {
	b := make([]byte, 0, 40+len(rid)+len(messageID))
	b = append(b, `{"MessageId":"`...)
	b = append(b, messageID...)
	b = append(b, `","RequestId":"`...)
	b = append(b, rid...)
	return append(b, `"}`...)
}

func errorJSON(r *http.Request, rid string, o outcome) []byte {
	host := r.Host
	if host == "" {
		host = defaultHostID
	}
	b, _ := json.Marshal(errorBody{
		RequestID: rid,
		HostID:    host,
		Code:      o.code,
		Message:   o.msg,
		Recommend: "https://api.aliyun.com/troubleshoot?q=" + url.QueryEscape(o.code) +
			"&product=Push&requestId=" + rid,
	})
	return b
}

// dropConnection closes the connection under w with no answer at all.
func dropConnection(w http.ResponseWriter) {
	hj, ok := w.(http.Hijacker)
	if !ok {
		panic(http.ErrAbortHandler)
	}
	conn, _, err := hj.Hijack()
	if err != nil {
		panic(http.ErrAbortHandler)
	}
	conn.Close()
}

// newRequestID returns a random UUID-shaped request id.
func newRequestID() string {
	var b [36]byte
	hi, lo := rand.Uint64(), rand.Uint64()
	j := 0
	for i := range b {
		if i == 8 || i == 13 || i == 18 || i == 23 {
			b[i] = '-'
			continue
		}
		var nibble uint64
		if j < 16 {
			nibble = hi >> (60 - 4*j) & 15
		} else {
			nibble = lo >> (60 - 4*(j-16)) & 15
		}
		b[i] = upperHex[nibble]
		j++
	}
	return string(b[:])
}
