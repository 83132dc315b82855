//! Who is calling, when a proxy stands between: the login throttle counts failures per
//! address, and behind a TLS proxy every connection comes from the proxy. Trusting the
//! forwarded address from anyone would let a guesser pick a fresh address per guess, so it
//! is read only from proxies named in the settings (`--trusted-proxy`).

use std::net::IpAddr;

use axum::http::HeaderMap;
use ipnet::IpNet;

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TrustedProxies(Vec<IpNet>);

impl TrustedProxies {
    pub fn new(networks: Vec<IpNet>) -> Self {
        Self(networks)
    }

    /// Parses `10.0.0.1`, `127.0.0.1/32` or `fd00::/8` (an address is its own /32 or /128).
    pub fn parse_one(text: &str) -> Result<IpNet, String> {
        let text = text.trim();
        text.parse::<IpNet>()
            .or_else(|_| text.parse::<IpAddr>().map(IpNet::from))
            .map_err(|_| {
                format!("{text:?} is not an address or network (e.g. 127.0.0.1 or 10.0.0.0/8)")
            })
    }

    pub fn trusts(&self, address: IpAddr) -> bool {
        self.0.iter().any(|net| net.contains(&address))
    }

    /// The address of the client behind `peer`. From a trusted proxy, the last address in
    /// `X-Forwarded-For` that is not itself a trusted proxy (each proxy appends the one it
    /// heard from; the ones before could be anything the client wrote); otherwise `peer`.
    pub fn client_address(&self, peer: IpAddr, headers: &HeaderMap) -> IpAddr {
        if !self.trusts(peer) {
            return peer;
        }
        let forwarded: Vec<IpAddr> = headers
            .get_all("x-forwarded-for")
            .iter()
            .filter_map(|v| v.to_str().ok())
            .flat_map(|v| v.split(','))
            .map(|part| part.trim().parse::<IpAddr>())
            .collect::<Result<_, _>>()
            // A list we cannot read is not evidence of anything: count the proxy itself.
            .unwrap_or_default();
        forwarded
            .iter()
            .rev()
            .find(|address| !self.trusts(**address))
            .copied()
            .unwrap_or(peer)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(forwarded: &str) -> HeaderMap {
        let mut headers = HeaderMap::new();
        headers.insert("x-forwarded-for", forwarded.parse().unwrap());
        headers
    }

    #[test]
    fn the_forwarded_address_counts_only_from_a_trusted_proxy() {
        let proxies = TrustedProxies::new(vec![TrustedProxies::parse_one("127.0.0.1").unwrap()]);
        let proxy: IpAddr = "127.0.0.1".parse().unwrap();
        let stranger: IpAddr = "198.51.100.9".parse().unwrap();
        let phone: IpAddr = "203.0.113.5".parse().unwrap();
        assert_eq!(
            proxies.client_address(proxy, &headers("203.0.113.5")),
            phone
        );
        // A client writing its own header through the proxy: the proxy's append wins.
        assert_eq!(
            proxies.client_address(proxy, &headers("192.0.2.1, 203.0.113.5")),
            phone
        );
        assert_eq!(
            proxies.client_address(stranger, &headers("203.0.113.5")),
            stranger
        );
        assert_eq!(proxies.client_address(proxy, &HeaderMap::new()), proxy);
        assert_eq!(proxies.client_address(proxy, &headers("nonsense")), proxy);
        assert_eq!(
            TrustedProxies::default().client_address(proxy, &headers("203.0.113.5")),
            proxy
        );
    }

    #[test]
    fn chains_of_trusted_proxies_are_walked_back_to_the_client() {
        let proxies = TrustedProxies::new(vec![
            TrustedProxies::parse_one("10.0.0.0/8").unwrap(),
            TrustedProxies::parse_one("127.0.0.1").unwrap(),
        ]);
        let proxy: IpAddr = "127.0.0.1".parse().unwrap();
        assert_eq!(
            proxies.client_address(proxy, &headers("203.0.113.5, 10.1.2.3")),
            "203.0.113.5".parse::<IpAddr>().unwrap()
        );
        assert!(TrustedProxies::parse_one("not an address").is_err());
    }
}
