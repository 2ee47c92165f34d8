import { createContext } from 'preact';
import { useContext } from 'preact/hooks';

/** {session, setSession, signOut}: session is the GET /v1/session data. */
export const SessionContext = createContext(null);
export const useSession = () => useContext(SessionContext);

/** notify(message, kind?) puts a message in the page's live region. */
export const ToastContext = createContext(() => {});
export const useNotify = () => useContext(ToastContext);
