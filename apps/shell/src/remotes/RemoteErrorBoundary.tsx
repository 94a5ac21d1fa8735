import { Component, type ReactNode } from 'react';

/** Keeps a remote that throws while rendering from taking the rest of the page with it. */
export class RemoteErrorBoundary extends Component<{ fallback: ReactNode; children: ReactNode }, { failed: boolean }> {
  override state = { failed: false };

  static getDerivedStateFromError(): { failed: boolean } {
    return { failed: true };
  }

  override componentDidCatch(error: unknown): void {
    console.warn('[shell] a remote failed while rendering:', error instanceof Error ? error.message : error);
  }

  override render(): ReactNode {
    return this.state.failed ? this.props.fallback : this.props.children;
  }
}
