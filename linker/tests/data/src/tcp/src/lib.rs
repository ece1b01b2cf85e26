//! A package that opens one TCP connection.
wit_bindgen::generate!({ path: "wit", world: "tcp" });

struct Tcp;

impl exports::nano_test::tcp::api::Guest for Tcp {
    fn ping(addr: String) -> bool {
        open_connection(&addr)
    }
}

#[inline(never)]
fn open_connection(addr: &str) -> bool {
    std::net::TcpStream::connect(addr).is_ok()
}

export!(Tcp);
