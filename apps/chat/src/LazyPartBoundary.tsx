import { Component, type ReactNode } from 'react';

/**
 * Around a lazily loaded part of the chat: a chunk that did not arrive, or that the browser refused
 * (Subresource Integrity), shows `fallback` in its place instead of taking the whole chat down.
 */
export class LazyPartBoundary extends Component<{ fallback: ReactNode; children: ReactNode }, { failed: boolean }> {
  override state = { failed: false };

  static getDerivedStateFromError(): { failed: boolean } {
    return { failed: true };
  }

  override componentDidCatch(error: unknown): void {
    console.warn('[chat] a lazily loaded part failed:', error instanceof Error ? error.message : error);
  }

  override render(): ReactNode {
    return this.state.failed ? this.props.fallback : this.props.children;
  }
}
