package main

// SPA knock datagram, PROTOCOL.md §7.

import (
	"crypto/hmac"
	"encoding/binary"
	"fmt"
	"hash"
	"net"

	"golang.org/x/crypto/blake2s"
	"golang.org/x/crypto/chacha20poly1305"
)

const (
	knockMagic = "HVPK"
	knockLabel = "hyperion-vpn knock key v1"
	knockLen   = 44
)

func newBlake2s() hash.Hash {
	h, err := blake2s.New256(nil)
	if err != nil {
		panic(err)
	}
	return h
}

func hmacBlake2s(key, data []byte) []byte {
	m := hmac.New(newBlake2s, key)
	m.Write(data)
	return m.Sum(nil)
}

// knockKey is the first output of the Noise HKDF with the label as chaining key:
// HMAC(HMAC(label, psk), 0x01).
func knockKey(psk []byte) []byte {
	temp := hmacBlake2s([]byte(knockLabel), psk)
	return hmacBlake2s(temp, []byte{0x01})
}

func buildKnock(psk, serverPub, nonce []byte, unixTime uint64, port uint16) ([]byte, error) {
	if len(nonce) != chacha20poly1305.NonceSize {
		return nil, fmt.Errorf("knock nonce must be 12 bytes, got %d", len(nonce))
	}
	aead, err := chacha20poly1305.New(knockKey(psk))
	if err != nil {
		return nil, err
	}
	pt := make([]byte, 12)
	binary.BigEndian.PutUint16(pt[0:2], 1)
	binary.BigEndian.PutUint64(pt[2:10], unixTime)
	binary.BigEndian.PutUint16(pt[10:12], port)
	ad := append([]byte(knockMagic), serverPub...)
	pkt := append([]byte(knockMagic), nonce...)
	pkt = aead.Seal(pkt, nonce, pt, ad)
	if len(pkt) != knockLen {
		return nil, fmt.Errorf("internal: knock is %d bytes", len(pkt))
	}
	return pkt, nil
}

func sendKnock(to string, pkt []byte) error {
	c, err := net.Dial("udp", to)
	if err != nil {
		return err
	}
	defer c.Close()
	_, err = c.Write(pkt)
	return err
}
