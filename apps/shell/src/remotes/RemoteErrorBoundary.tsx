import { Component, type ReactNode } from 'react';

/**
 * Keeps a remote that throws while rendering from taking the rest of the page with it (also a lazily
 * loaded part of the shell whose chunk did not arrive or was refused: `what` names it in the log).
 */
export class RemoteErrorBoundary extends Component<{ fallback: ReactNode; children: ReactNode; what?: string }, { failed: boolean }> {
  override state = { failed: false };

  static getDerivedStateFromError(): { failed: boolean } {
    return { failed: true };
  }

  override componentDidCatch(error: unknown): void {
    console.warn(`[shell] ${this.props.what ?? 'a remote'} failed while rendering:`, error instanceof Error ? error.message : error);
  }

  override render(): ReactNode {
    return this.state.failed ? this.props.fallback : this.props.children;
  }
}
