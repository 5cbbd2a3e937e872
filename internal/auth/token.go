package auth

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"strings"
)

// TokenPrefix starts every API token, so secret scanners and people can
// tell a Hindsight token when they see one.
const TokenPrefix = "hs_"

// tokenAlphabet is base62: tokens survive URLs, shells and copy-paste.
const tokenAlphabet = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"

// tokenLen is the length of a token's random part: 40 base62 characters,
// about 238 bits.
const tokenLen = 40

// DisplayLen is how much of a token (prefix included) is kept in clear to
// tell tokens apart in lists: "hs_AbCd1234".
const DisplayLen = len(TokenPrefix) + 8

// NewToken returns a new API token secret. It is shown once; only its
// HashToken is stored.
func NewToken() string {
	var b strings.Builder
	b.WriteString(TokenPrefix)
	for range tokenLen {
		b.WriteByte(tokenAlphabet[randIntn(len(tokenAlphabet))])
	}
	return b.String()
}

// LooksLikeToken reports whether s has the shape of a token, so that
// garbage is refused before it costs a database lookup.
func LooksLikeToken(s string) bool {
	if len(s) != len(TokenPrefix)+tokenLen || !strings.HasPrefix(s, TokenPrefix) {
		return false
	}
	for _, c := range []byte(s[len(TokenPrefix):]) {
		if strings.IndexByte(tokenAlphabet, c) < 0 {
			return false
		}
	}
	return true
}

// HashToken is what is stored and looked up for a token: hex SHA-256. A
// fast hash is right here, unlike for passwords: the secret has 238 random
// bits, so there is nothing to guess.
func HashToken(token string) string {
	sum := sha256.Sum256([]byte(token))
	return hex.EncodeToString(sum[:])
}

// DisplayPrefix is the part of a token kept in clear.
func DisplayPrefix(token string) string {
	if len(token) < DisplayLen {
		return token
	}
	return token[:DisplayLen]
}

// RandomSecret returns n random bytes as unpadded base64url-safe base62
// text (state, nonce, PKCE verifiers use their own helpers).
func RandomSecret() string { return rand.Text() }

// randIntn returns a uniform random number in [0, n) from crypto/rand,
// without modulo bias.
func randIntn(n int) int {
	limit := ^uint32(0) - (^uint32(0) % uint32(n))
	var b [4]byte
	for {
		if _, err := rand.Read(b[:]); err != nil {
			panic("auth: crypto/rand failed: " + err.Error())
		}
		v := binary.LittleEndian.Uint32(b[:])
		if v < limit {
			return int(v % uint32(n))
		}
	}
}
