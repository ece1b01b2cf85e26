//! The standard streams of an audit run: the host's, recording the first read or write of each
//! instance, so that a stream fetched but never used is not reported as needed.

use std::io;
use std::pin::Pin;
use std::task::{Context, Poll};

use manifest_schema::Stream;
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use wasmtime_wasi::cli::{IsTerminal, StdinStream, StdoutStream};

use crate::audit::AuditLog;

/// One instance's view of one host stream.
#[derive(Debug, Clone)]
pub(crate) struct AuditedStream {
    pub(crate) log: AuditLog,
    pub(crate) instance: usize,
    pub(crate) stream: Stream,
}

impl AuditedStream {
    fn note(&self) {
        self.log.stream(self.instance, self.stream);
    }
}

/// A host stream that tells its [`AuditedStream`] when bytes cross it.
struct Recording<T> {
    inner: T,
    audited: AuditedStream,
}

impl IsTerminal for AuditedStream {
    fn is_terminal(&self) -> bool {
        false
    }
}

impl StdinStream for AuditedStream {
    fn async_stream(&self) -> Box<dyn AsyncRead + Send + Sync> {
        Box::new(Recording {
            inner: tokio::io::stdin(),
            audited: self.clone(),
        })
    }
}

impl StdoutStream for AuditedStream {
    fn async_stream(&self) -> Box<dyn AsyncWrite + Send + Sync> {
        let audited = self.clone();
        match self.stream {
            Stream::Stderr => Box::new(Recording {
                inner: tokio::io::stderr(),
                audited,
            }),
            _ => Box::new(Recording {
                inner: tokio::io::stdout(),
                audited,
            }),
        }
    }
}

impl<T: AsyncRead + Unpin> AsyncRead for Recording<T> {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        if buf.remaining() > 0 {
            self.audited.note();
        }
        Pin::new(&mut self.inner).poll_read(cx, buf)
    }
}

impl<T: AsyncWrite + Unpin> AsyncWrite for Recording<T> {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        if !buf.is_empty() {
            self.audited.note();
        }
        Pin::new(&mut self.inner).poll_write(cx, buf)
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.inner).poll_flush(cx)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.inner).poll_shutdown(cx)
    }
}
