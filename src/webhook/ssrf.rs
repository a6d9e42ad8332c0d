//! Which addresses a webhook may reach: public unicast only. Checked on the
//! literal address at registration and on every resolved address at each
//! delivery, and the connection goes to the checked address itself, so a
//! name that resolves to a public address once and to loopback later (DNS
//! rebinding) cannot slip through. Addresses that embed an IPv4 address
//! (IPv4-mapped, IPv4-compatible, NAT64, 6to4) are judged by the embedded one.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

/// Whether a webhook may connect to `ip`.
pub fn is_public(ip: IpAddr) -> bool {
    match ip {
        IpAddr::V4(v4) => is_public_v4(v4),
        IpAddr::V6(v6) => is_public_v6(v6),
    }
}

fn is_public_v4(ip: Ipv4Addr) -> bool {
    let o = ip.octets();
    let n = u32::from(ip);
    let within = |net: u32, bits: u32| n >> (32 - bits) == net >> (32 - bits);
    !(o[0] == 0                                   // 0.0.0.0/8 "this network", unspecified
        || o[0] == 10                             // 10/8 private
        || within(0x6440_0000, 10)                // 100.64/10 CGNAT
        || o[0] == 127                            // 127/8 loopback
        || within(0xA9FE_0000, 16)                // 169.254/16 link-local
        || within(0xAC10_0000, 12)                // 172.16/12 private
        || within(0xC000_0000, 24)                // 192.0.0/24 IETF protocol assignments
        || within(0xC000_0200, 24)                // 192.0.2/24 documentation
        || within(0xC058_6300, 24)                // 192.88.99/24 6to4 relay anycast
        || within(0xC0A8_0000, 16)                // 192.168/16 private
        || within(0xC612_0000, 15)                // 198.18/15 benchmarking
        || within(0xC633_6400, 24)                // 198.51.100/24 documentation
        || within(0xCB00_7100, 24)                // 203.0.113/24 documentation
        || o[0] >= 224) // 224/4 multicast, 240/4 reserved, 255.255.255.255 broadcast
}

fn is_public_v6(ip: Ipv6Addr) -> bool {
    let s = ip.segments();
    let embedded = |hi: usize| Ipv4Addr::new((s[hi] >> 8) as u8, s[hi] as u8, (s[hi + 1] >> 8) as u8, s[hi + 1] as u8);
    if let Some(v4) = ip.to_ipv4_mapped() {
        return is_public_v4(v4); // ::ffff:0:0/96
    }
    if s[..6] == [0; 6] {
        // ::/96: unspecified, loopback and the deprecated IPv4-compatible form.
        return !(ip.is_unspecified() || ip.is_loopback()) && is_public_v4(embedded(6));
    }
    if s[..6] == [0x64, 0xff9b, 0, 0, 0, 0] {
        return is_public_v4(embedded(6)); // 64:ff9b::/96 NAT64
    }
    if s[0] == 0x2002 {
        return is_public_v4(embedded(1)); // 2002::/16 6to4
    }
    !((s[0] == 0x64 && s[1] == 0xff9b && s[2] == 1)  // 64:ff9b:1::/48 local NAT64
        || (s[0] == 0x100 && s[1..4] == [0; 3])      // 100::/64 discard
        || (s[0] == 0x2001 && s[1] < 0x200)          // 2001::/23 IETF (Teredo, ORCHID, …)
        || (s[0] == 0x2001 && s[1] == 0xdb8)         // 2001:db8::/32 documentation
        || (s[0] & 0xfff0) == 0x3ff0                 // 3fff::/20 documentation
        || (s[0] & 0xfe00) == 0xfc00                 // fc00::/7 unique local
        || (s[0] & 0xffc0) == 0xfe80                 // fe80::/10 link-local
        || (s[0] & 0xffc0) == 0xfec0                 // fec0::/10 site-local
        || (s[0] & 0xff00) == 0xff00) // ff00::/8 multicast
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(addr: &str, public: bool) {
        let ip: IpAddr = addr.parse().unwrap();
        assert_eq!(is_public(ip), public, "{addr}");
    }

    #[test]
    fn every_range() {
        for (addr, public) in [
            // Public v4, including the edges next to refused ranges.
            ("8.8.8.8", true),
            ("1.1.1.1", true),
            ("9.255.255.255", true),
            ("11.0.0.0", true),
            ("100.63.255.255", true),
            ("100.128.0.0", true),
            ("172.15.255.255", true),
            ("172.32.0.0", true),
            ("192.0.1.1", true),
            ("192.167.255.255", true),
            ("198.17.255.255", true),
            ("198.20.0.0", true),
            ("223.255.255.255", true),
            // Refused v4.
            ("0.0.0.0", false),
            ("0.1.2.3", false),
            ("10.0.0.1", false),
            ("10.255.255.255", false),
            ("100.64.0.1", false),
            ("100.127.255.255", false),
            ("127.0.0.1", false),
            ("127.255.255.254", false),
            ("169.254.169.254", false),
            ("172.16.0.1", false),
            ("172.31.255.255", false),
            ("192.0.0.8", false),
            ("192.0.2.1", false),
            ("192.88.99.1", false),
            ("192.168.1.1", false),
            ("198.18.0.1", false),
            ("198.19.255.255", false),
            ("198.51.100.7", false),
            ("203.0.113.9", false),
            ("224.0.0.1", false),
            ("239.255.255.250", false),
            ("240.0.0.1", false),
            ("255.255.255.255", false),
            // Public v6.
            ("2606:4700:4700::1111", true),
            ("2a00:1450:4001::200e", true),
            ("2001:4860:4860::8888", true),
            ("64:ff9b::808:808", true),
            ("::ffff:8.8.8.8", true),
            ("2002:808:808::1", true),
            // Refused v6.
            ("::", false),
            ("::1", false),
            ("::ffff:127.0.0.1", false),
            ("::ffff:10.0.0.1", false),
            ("::ffff:169.254.169.254", false),
            ("::127.0.0.1", false),
            ("64:ff9b::7f00:1", false),
            ("64:ff9b::a00:1", false),
            ("64:ff9b:1::1", false),
            ("2002:7f00:1::1", false),
            ("2002:c0a8:101::1", false),
            ("100::1", false),
            ("2001::1", false),
            ("2001:db8::1", false),
            ("3fff::1", false),
            ("fc00::1", false),
            ("fd12:3456::1", false),
            ("fe80::1", false),
            ("febf::1", false),
            ("fec0::1", false),
            ("feff::1", false),
            ("ff02::1", false),
            ("ff0e::1", false),
        ] {
            check(addr, public);
        }
    }
}
