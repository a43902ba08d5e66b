package pushsim

import (
	"crypto/hmac"
	"crypto/sha1"
	"crypto/subtle"
	"encoding/base64"
	"sync"
)

const upperHex = "0123456789ABCDEF"

// stsPool recycles string-to-sign buffers: with 1,000 targets one is
// about three times the size of the query.
var stsPool = sync.Pool{New: func() any { b := make([]byte, 0, 64<<10); return &b }}

// appendStringToSign appends the RPC signature v1 string to sign of a request
// with method and p (all parameters but Signature, sorted by key):
// method + "&%2F&" + percentEncode(canonicalQuery), where canonicalQuery is
// "k=v&..." with keys and values percent-encoded per RFC 3986.
func appendStringToSign(dst []byte, method string, p params) []byte {
	dst = append(dst, method...)
	dst = append(dst, "&%2F&"...)
	first := true
	for _, kv := range p {
		if kv.key == "Signature" {
			continue
		}
		if !first {
			dst = append(dst, "%26"...)
		}
		first = false
		dst = appendEncodedTwice(dst, kv.key)
		dst = append(dst, "%3D"...)
		dst = appendEncodedTwice(dst, kv.value)
	}
	return dst
}

// appendEncodedTwice appends s percent-encoded per RFC 3986, then encoded
// again: unreserved bytes stay, any other byte b becomes "%25" + hex(b).
func appendEncodedTwice(dst []byte, s string) []byte {
	start := 0
	for i := 0; i < len(s); i++ {
		c := s[i]
		if unreserved[c] {
			continue
		}
		dst = append(dst, s[start:i]...)
		dst = append(dst, '%', '2', '5', upperHex[c>>4], upperHex[c&15])
		start = i + 1
	}
	return append(dst, s[start:]...)
}

// unreserved says which bytes RFC 3986 leaves unencoded.
var unreserved = func() (t [256]bool) {
	for c := range t {
		b := byte(c)
		t[c] = 'a' <= b && b <= 'z' || 'A' <= b && b <= 'Z' || '0' <= b && b <= '9' ||
			b == '-' || b == '_' || b == '.' || b == '~'
	}
	return t
}()

// sign returns the base64 HMAC-SHA1 of stringToSign keyed with secret + "&".
func sign(secret string, stringToSign []byte) string {
	h := hmac.New(sha1.New, []byte(secret+"&"))
	h.Write(stringToSign)
	return base64.StdEncoding.EncodeToString(h.Sum(nil))
}

// verifySignature reports whether p carries the signature of its request;
// when not, it also returns the string to sign the simulator computed.
func verifySignature(secret, method string, p params) (bool, string) {
	buf := stsPool.Get().(*[]byte)
	defer stsPool.Put(buf)
	*buf = appendStringToSign((*buf)[:0], method, p)
	want := sign(secret, *buf)
	if subtle.ConstantTimeCompare([]byte(want), []byte(p.get("Signature"))) == 1 {
		return true, ""
	}
	return false, string(*buf)
}
