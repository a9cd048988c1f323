package dev.fmnist.trainer.xgboost;

/** A failure of the XGBoost native library, unchecked, with what was being done. */
public class XgboostException extends RuntimeException {
    public XgboostException(String message, Throwable cause) {
        super(cause == null || cause.getMessage() == null ? message : message + ": " + cause.getMessage(), cause);
    }
}
