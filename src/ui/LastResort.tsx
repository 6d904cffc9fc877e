// The last resort for an error while drawing the chat: instead of Ink's stack-trace screen, leave Ink
// with the error, so the chat's entry point saves the conversation and says so in one line.
import { useApp } from 'ink';
import { Component, type ReactNode } from 'react';

class Boundary extends Component<{ onError: (err: unknown) => void; children: ReactNode }, { failed: boolean }> {
  override state = { failed: false };

  static getDerivedStateFromError() {
    return { failed: true };
  }

  override componentDidCatch(err: unknown) {
    this.props.onError(err);
  }

  override render() {
    return this.state.failed ? null : this.props.children;
  }
}

export function LastResort({ children }: { children: ReactNode }) {
  const { exit } = useApp();
  return <Boundary onError={(err) => exit(err instanceof Error ? err : new Error(String(err)))}>{children}</Boundary>;
}
