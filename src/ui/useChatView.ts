// Subscribe a component to the chat's view, and leave Ink when the chat asks to quit.
import { useApp } from 'ink';
import { useEffect, useSyncExternalStore } from 'react';
import type { ChatController, ChatView } from './types.js';

export function useChatView(controller: ChatController): ChatView {
  const view = useSyncExternalStore(controller.subscribe, controller.getView);
  const { exit } = useApp();
  useEffect(() => {
    if (view.quitting) exit();
  }, [view.quitting, exit]);
  return view;
}
