// Subscribe a component to the chat's view.
import { useSyncExternalStore } from 'react';
import type { ChatController, ChatView } from './types.js';

export function useChatView(controller: ChatController): ChatView {
  return useSyncExternalStore(controller.subscribe, controller.getView);
}
